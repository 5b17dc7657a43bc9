// Node's modules, for the tiny build: dotenv's package loads fs, path, os and url at the top for
// its config(), which notify never calls (it uses parse() only).
export default {};
