// Which CA certificates the executable trusts (caText() in src/platform/tiny/platform.ts) and how
// it checks the certificate it is shown (runtime.c): NOTIFY_CA_FILE, SSL_CERT_FILE and
// SSL_CERT_DIR as a CI job sets them, a settings file that cannot be read, certificates issued for
// another address, for a name, or long expired. Every server is on 127.0.0.1 or ::1, behind a
// relay that counts connections: a refused handshake is one connection and no request.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateCa, type PrivateCa, type PrivateCaOptions } from '../helpers/ca.ts';
import { startFakeSlack, WEBHOOK_PATH, type FakeSlack } from '../helpers/fake-slack.ts';
import type { RunResult } from '../helpers/run.ts';
import {
  closeAfterEach,
  expectNoSecrets,
  jobEnv,
  notify,
  oneLine,
  startCountingRelay,
  type CountingRelay,
} from './support.ts';

const track = closeAfterEach();
const dir = mkdtempSync(join(tmpdir(), 'notify-ca-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The private CA the server's certificate comes from, and another that has nothing to do with it.
let ca: PrivateCa;
let other: PrivateCa;
beforeAll(() => {
  ca = createPrivateCa();
  other = createPrivateCa();
});
afterAll(() => {
  ca?.remove();
  other?.remove();
});

// The IPv6 loopback is missing in some containers: that case alone is skipped there, loudly.
const hasIpv6 = await new Promise<boolean>((resolve) => {
  const probe = createServer();
  probe.once('error', () => resolve(false));
  probe.listen(0, '::1', () => probe.close(() => resolve(true)));
});
if (!hasIpv6) console.warn('\n*** SKIPPING: ::1 cannot be listened on here (the [::1] case) ***\n');

interface Served {
  slack: FakeSlack;
  relay: CountingRelay;
  /** The webhook URL through the relay, at `host`. */
  webhookUrl: string;
  origin: string;
}

/** Fake Slack over https with `tls`, reached at https://`host`:port through a counting relay. */
async function serve(tls: PrivateCa['tls'], host = '127.0.0.1'): Promise<Served> {
  const slack = track(await startFakeSlack({ tls }));
  const listenOn = host === '[::1]' ? '::1' : '127.0.0.1';
  const relay = track(await startCountingRelay(Number(new URL(slack.origin).port), listenOn));
  const origin = `https://${host}:${relay.port}`;
  return { slack, relay, origin, webhookUrl: `${origin}${WEBHOOK_PATH}` };
}

/** A private CA whose server certificate is made as asked; removed after the test. */
function caWith(options: PrivateCaOptions): PrivateCa {
  const made = createPrivateCa(options);
  track({ close: async () => made.remove() });
  return made;
}

/** A folder under this file's temporary one holding `files` (name -> file to copy). */
function folder(name: string, files: Record<string, string> = {}): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  for (const [file, from] of Object.entries(files)) copyFileSync(from, join(path, file));
  return path;
}

function expectDelivered(result: RunResult, served: Served): void {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(served.slack.requests).toHaveLength(1);
  expect(served.slack.requests[0]!.path).toBe(WEBHOOK_PATH);
  expect(oneLine(result.stdout)).toContain(`sent the start notification to ${served.origin}/`);
  expectNoSecrets(result, served.webhookUrl);
}

/** The handshake failed: one connection, no request, exit 1; returns the one stderr line. */
function expectRefused(result: RunResult, served: Served): string {
  expect(result.code, `exit code; stdout: ${result.stdout}`).toBe(1);
  expect(served.relay.connections).toBe(1);
  expect(served.slack.requests).toHaveLength(0);
  expect(result.stdout).toBe('');
  expectNoSecrets(result, served.webhookUrl);
  const line = oneLine(result.stderr);
  expect(line).toMatch(/^notify: delivery failed: TLS to \S+ failed \(/);
  return line;
}

/** Refused for the certificate itself, not for its CA: the line must not send the user there. */
function expectCertificateRefused(result: RunResult, served: Served, code: string): void {
  const line = expectRefused(result, served);
  expect(line).toContain(`(${code}): its certificate was refused`);
  expect(line).not.toContain('NOTIFY_CA_FILE');
}

describe('the CA certificates the executable trusts', () => {
  it('without a setting, a private CA is untrusted: exit 1, the line names NOTIFY_CA_FILE', async () => {
    const served = await serve(ca.tls);
    const result = await notify(['start'], jobEnv(served.webhookUrl));
    const line = expectRefused(result, served);
    expect(line).toContain('its certificate is not from a trusted CA');
    expect(line).toContain('set NOTIFY_CA_FILE');
  });

  it('NOTIFY_CA_FILE naming the CA: delivered', async () => {
    const served = await serve(ca.tls);
    const result = await notify(
      ['start'],
      jobEnv(served.webhookUrl, { NOTIFY_CA_FILE: ca.caFile }),
    );
    expectDelivered(result, served);
  });

  it('SSL_CERT_FILE naming the CA: delivered', async () => {
    const served = await serve(ca.tls);
    const result = await notify(['start'], jobEnv(served.webhookUrl, { SSL_CERT_FILE: ca.caFile }));
    expectDelivered(result, served);
  });

  it('SSL_CERT_DIR holding ca-certificates.crt with the CA: delivered', async () => {
    const certs = folder('cert-dir', { 'ca-certificates.crt': ca.caFile });
    const served = await serve(ca.tls);
    const result = await notify(['start'], jobEnv(served.webhookUrl, { SSL_CERT_DIR: certs }));
    expectDelivered(result, served);
  });

  it('SSL_CERT_DIR as a list: the first folder that holds a bundle is read', async () => {
    const empty = folder('cert-dir-empty');
    const certs = folder('cert-dir-listed', { 'ca-certificates.crt': ca.caFile });
    const served = await serve(ca.tls);
    const env = jobEnv(served.webhookUrl, { SSL_CERT_DIR: `${empty}:${certs}` });
    expectDelivered(await notify(['start'], env), served);
  });

  it('SSL_CERT_FILE replaces the bundle: the one in SSL_CERT_DIR is not read then', async () => {
    const certs = folder('cert-dir-replaced', { 'ca-certificates.crt': ca.caFile });
    const served = await serve(ca.tls);
    const env = jobEnv(served.webhookUrl, { SSL_CERT_DIR: certs, SSL_CERT_FILE: other.caFile });
    const line = expectRefused(await notify(['start'], env), served);
    expect(line).toContain('its certificate is not from a trusted CA');
  });

  it('NOTIFY_CA_FILE and NODE_EXTRA_CA_CERTS add to what SSL_CERT_FILE holds', async () => {
    for (const name of ['NOTIFY_CA_FILE', 'NODE_EXTRA_CA_CERTS']) {
      const served = await serve(ca.tls);
      const env = jobEnv(served.webhookUrl, { SSL_CERT_FILE: other.caFile, [name]: ca.caFile });
      expectDelivered(await notify(['start'], env), served);
    }
  });

  it.each([
    ['a missing file', () => join(dir, 'no-such-ca.pem'), 'missing'],
    ['a directory', () => folder('a-directory'), 'not a regular file'],
    [
      'a FIFO',
      () => {
        const path = join(dir, 'fifo');
        execFileSync('mkfifo', [path]);
        return path;
      },
      'not a regular file',
    ],
  ])(
    'NOTIFY_CA_FILE naming %s: exit 2 at once, one line, no request',
    async (_what, make, problem) => {
      const path = make();
      const served = await serve(ca.tls);
      // A read that blocked (a FIFO without a writer) would hold the job: killed here instead.
      const result = await notify(['start'], jobEnv(served.webhookUrl, { NOTIFY_CA_FILE: path }), {
        killAfterMs: 5_000,
      });

      expect(result.stderr).toBe(
        `notify: NOTIFY_CA_FILE "${path}" cannot be read: ${problem} (expected a PEM file of CA certificates)\n`,
      );
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(served.relay.connections).toBe(0);
      expect(served.slack.requests).toHaveLength(0);
      // No retry and no wait: the first backoff alone would take a quarter of a second or more.
      expect(result.ms).toBeLessThan(2_000);
    },
  );
});

describe('the certificate is checked against the host in the URL', () => {
  it('issued for 127.0.0.2, served on 127.0.0.1: refused, no request', async () => {
    const issued = caWith({ subjectAltName: 'IP:127.0.0.2' });
    const served = await serve(issued.tls);
    const env = jobEnv(served.webhookUrl, { NOTIFY_CA_FILE: issued.caFile });
    expectCertificateRefused(await notify(['start'], env), served, 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('issued for the name localhost, at https://127.0.0.1: refused', async () => {
    const issued = caWith({ subjectAltName: 'DNS:localhost' });
    const served = await serve(issued.tls);
    const env = jobEnv(served.webhookUrl, { NOTIFY_CA_FILE: issued.caFile });
    expectCertificateRefused(await notify(['start'], env), served, 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('issued for the name localhost, at https://localhost: delivered', async () => {
    const issued = caWith({ subjectAltName: 'DNS:localhost' });
    const served = await serve(issued.tls, 'localhost');
    const env = jobEnv(served.webhookUrl, { NOTIFY_CA_FILE: issued.caFile });
    expectDelivered(await notify(['start'], env), served);
  });

  it.skipIf(!hasIpv6)('issued for ::1, at https://[::1]: delivered', async () => {
    const issued = caWith({ subjectAltName: 'IP:::1' });
    const served = await serve(issued.tls, '[::1]');
    const env = jobEnv(served.webhookUrl, { NOTIFY_CA_FILE: issued.caFile });
    expectDelivered(await notify(['start'], env), served);
  });

  // An address is matched against the certificate's iPAddress names only (RFC 6125 §6.2.1), as
  // Node's checkServerIdentity and OpenSSL's X509_check_ip do: neither a dNSName nor the subject's
  // CN that happens to spell it.
  it('127.0.0.1 written as a DNS name, at https://127.0.0.1: refused', async () => {
    const issued = caWith({ subjectAltName: 'DNS:127.0.0.1' });
    const served = await serve(issued.tls);
    const env = jobEnv(served.webhookUrl, { NOTIFY_CA_FILE: issued.caFile });
    expectCertificateRefused(await notify(['start'], env), served, 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('no subjectAltName, CN=127.0.0.1 alone, at https://127.0.0.1: refused', async () => {
    const issued = caWith({ subjectAltName: '' });
    const served = await serve(issued.tls);
    const env = jobEnv(served.webhookUrl, { NOTIFY_CA_FILE: issued.caFile });
    expectCertificateRefused(await notify(['start'], env), served, 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('expired (a day in 2020), from the trusted CA: refused, no request', async () => {
    const issued = caWith({ expired: true });
    const served = await serve(issued.tls);
    const env = jobEnv(served.webhookUrl, { NOTIFY_CA_FILE: issued.caFile });
    expectCertificateRefused(await notify(['start'], env), served, 'CERT_HAS_EXPIRED');
  });
});
