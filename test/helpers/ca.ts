// A throwaway private CA and a server certificate for 127.0.0.1 (or other names, or expired), made
// with the openssl CLI: the same shape as a corporate CA that NODE_EXTRA_CA_CERTS exists for.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSlack, type FakeSlack } from './fake-slack.ts';

export interface PrivateCa {
  /** Path of the CA certificate (PEM): the value for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** Server key and certificate for https on 127.0.0.1, signed by the CA. */
  tls: { key: string; cert: string };
  remove(): void;
}

export interface PrivateCaOptions {
  /**
   * The server certificate's subjectAltName in openssl's syntax (IP:127.0.0.1 unless given); ''
   * for none, its subject CN=127.0.0.1 alone.
   */
  subjectAltName?: string;
  /** Issue the server certificate for a day in 2020, long expired. */
  expired?: boolean;
}

// Our own config: the system openssl.cnf may add extensions that clash with these.
const config = (subjectAltName: string) => `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = notify test CA
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
${subjectAltName ? `subjectAltName = ${subjectAltName}` : ''}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[signer]
database = index.txt
new_certs_dir = .
rand_serial = yes
default_md = sha256
policy = policy
[policy]
commonName = supplied
`;

export function createPrivateCa(options: PrivateCaOptions = {}): PrivateCa {
  const dir = mkdtempSync(join(tmpdir(), 'notify-ca-'));
  writeFileSync(join(dir, 'openssl.cnf'), config(options.subjectAltName ?? 'IP:127.0.0.1'));
  // Every argument is a fixed word without spaces, so a command reads as one string.
  const openssl = (command: string) =>
    execFileSync('openssl', command.split(' '), { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  // EC keys: generated in milliseconds, where RSA would slow down beforeAll.
  const key = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
  openssl(`req -x509 ${key} -days 2 -config openssl.cnf -extensions ca -keyout ca.key -out ca.pem`);
  openssl(
    `req -new ${key} -config openssl.cnf -subj /CN=127.0.0.1 -keyout server.key -out server.csr`,
  );
  if (options.expired) {
    // openssl 3.0's x509 cannot set dates in the past (no -not_after); its ca command can.
    writeFileSync(join(dir, 'index.txt'), '');
    openssl(
      'ca -batch -config openssl.cnf -name signer -cert ca.pem -keyfile ca.key -in server.csr' +
        ' -startdate 20200101000000Z -enddate 20200102000000Z' +
        ' -extensions server -notext -out server.pem',
    );
  } else {
    openssl(
      'x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 2 -days 2' +
        ' -extfile openssl.cnf -extensions server -out server.pem',
    );
  }
  return {
    caFile: join(dir, 'ca.pem'),
    tls: {
      key: readFileSync(join(dir, 'server.key'), 'utf8'),
      cert: readFileSync(join(dir, 'server.pem'), 'utf8'),
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs `work` against a fake Slack served over HTTPS by a fresh private CA; cleans up after. */
export async function withPrivateCaSlack<T>(
  work: (ca: PrivateCa, slack: FakeSlack) => Promise<T>,
): Promise<T> {
  const ca = createPrivateCa();
  const slack = await startFakeSlack({ tls: ca.tls });
  try {
    return await work(ca, slack);
  } finally {
    await slack.close();
    ca.remove();
  }
}
