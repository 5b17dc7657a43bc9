// core-js-pure's WHATWG URL, which the tiny build installs as the global URL.
declare module 'core-js-pure/actual/url/index.js' {
  const URL: typeof globalThis.URL;
  export default URL;
}
declare module 'core-js-pure/actual/url-search-params/index.js' {
  const URLSearchParams: typeof globalThis.URLSearchParams;
  export default URLSearchParams;
}
