// The executable's HTTP as the logic expects it of any transport: one connection per request (a
// reused one would be timed as a connect), NO_PROXY decided before any TLS, so that a bypassed
// https:// proxy's identity is never what a server's certificate is checked against, a proxy URL
// without a port meaning port 80, and an untrusted chain named before a wrong name.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPrivateCa, type PrivateCa } from '../helpers/ca.ts';
import { startFakeSlack, WEBHOOK_PATH } from '../helpers/fake-slack.ts';
import { ROOT } from '../helpers/run.ts';
import { startProxy } from './proxy.ts';
import {
  closeAfterEach,
  closedPort,
  expectNoSecrets,
  jobEnv,
  notify,
  oneLine,
  startCountingRelay,
} from './support.ts';

const track = closeAfterEach();
const cas: PrivateCa[] = [];
const caWith = (subjectAltName?: string) => {
  const made = createPrivateCa(subjectAltName === undefined ? {} : { subjectAltName });
  cas.push(made);
  return made;
};
afterAll(() => cas.forEach((ca) => ca.remove()));

async function tlsSlack(tls: PrivateCa['tls'], host = '127.0.0.1') {
  const slack = track(await startFakeSlack({ tls }));
  const relay = track(await startCountingRelay(Number(new URL(slack.origin).port)));
  return { slack, relay, webhookUrl: `https://${host}:${relay.port}${WEBHOOK_PATH}` };
}

describe('one connection per request', () => {
  it('a retry opens a new connection: two requests, two connections', async () => {
    let calls = 0;
    const slack = track(
      await startFakeSlack({
        responder: (_request, res) => {
          calls++;
          res.writeHead(calls === 1 ? 503 : 200).end(calls === 1 ? 'busy' : 'ok');
        },
      }),
    );
    const relay = track(await startCountingRelay(Number(new URL(slack.origin).port)));
    const webhookUrl = `http://127.0.0.1:${relay.port}${WEBHOOK_PATH}`;
    const result = await notify(['start'], jobEnv(webhookUrl));
    expect(result.code, result.stderr).toBe(0);
    expect(slack.requests).toHaveLength(2);
    expect(relay.connections).toBe(2);
    expectNoSecrets(result, webhookUrl);
  });
});

describe('NO_PROXY is decided before TLS', () => {
  it('a host NO_PROXY sends around an https:// proxy is checked against its own name', async () => {
    const proxyPort = await closedPort();
    // A certificate for the proxy's address, from a trusted CA, served by the webhook's host:
    // it must not pass for localhost.
    const forProxy = caWith('IP:127.0.0.2');
    const impostor = await tlsSlack(forProxy.tls, 'localhost');
    const env = jobEnv(impostor.webhookUrl, {
      HTTPS_PROXY: `https://127.0.0.2:${proxyPort}`,
      NO_PROXY: 'localhost',
      NOTIFY_CA_FILE: forProxy.caFile,
    });
    const refused = await notify(['start'], env);
    expect(refused.code).toBe(1);
    expect(impostor.slack.requests).toHaveLength(0);
    expect(oneLine(refused.stderr)).toContain('(ERR_TLS_CERT_ALTNAME_INVALID)');

    const forName = caWith('DNS:localhost');
    const real = await tlsSlack(forName.tls, 'localhost');
    const delivered = await notify(['start'], {
      ...env,
      SLACK_WEBHOOK_URL: real.webhookUrl,
      NOTIFY_CA_FILE: forName.caFile,
    });
    expect(delivered.stderr).toBe('');
    expect(delivered.code).toBe(0);
    expect(real.slack.requests).toHaveLength(1);
  });

  it.each([
    ['*.example.com, 127.0.0.1', true],
    ['127.0.0.0/8', true],
    ['127.0.0.1:8080', true],
    ['10.0.0.0/8', false],
  ])('NO_PROXY=%j: straight to Slack: %s', async (noProxy, direct) => {
    const proxy = track(await startProxy());
    const slack = track(await startFakeSlack());
    const result = await notify(
      ['start'],
      jobEnv(slack.webhookUrl, { HTTP_PROXY: proxy.url, NO_PROXY: noProxy }),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(slack.requests).toHaveLength(1);
    expect(proxy.records).toHaveLength(direct ? 0 : 1);
  });
});

describe('a proxy URL without a port', () => {
  it('means port 80, as on Node (libcurl alone would take 1080)', async (context) => {
    const proxy = await startProxy({ port: 80 }).catch(() => undefined);
    if (!proxy) {
      console.warn('\n*** SKIPPING: port 80 of 127.0.0.1 cannot be listened on here ***\n');
      context.skip();
      return;
    }
    track(proxy);
    const slack = track(await startFakeSlack());
    for (const value of ['http://127.0.0.1', '127.0.0.1', 'http://127.0.0.1:80']) {
      const result = await notify(['start'], jobEnv(slack.webhookUrl, { HTTP_PROXY: value }));
      expect(result.code, `${value}: ${result.stderr}`).toBe(0);
    }
    expect(proxy.records).toHaveLength(3);
    expect(slack.requests).toHaveLength(3);
  });
});

describe('why a certificate was refused', () => {
  it('an untrusted chain is named first, with its fix, even when the name is wrong too', async () => {
    const untrusted = caWith('IP:127.0.0.2');
    const served = await tlsSlack(untrusted.tls);
    const result = await notify(['start'], jobEnv(served.webhookUrl));
    expect(result.code).toBe(1);
    const line = oneLine(result.stderr);
    expect(line).toContain('(UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
    expect(line).toContain('NOTIFY_CA_FILE');
  });

  it('trusted chain, wrong address: the name is named, not the CA', async () => {
    const issued = caWith('IP:127.0.0.2');
    const served = await tlsSlack(issued.tls);
    const result = await notify(
      ['start'],
      jobEnv(served.webhookUrl, { NOTIFY_CA_FILE: issued.caFile }),
    );
    expect(result.code).toBe(1);
    const line = oneLine(result.stderr);
    expect(line).toContain('(ERR_TLS_CERT_ALTNAME_INVALID)');
    expect(line).not.toContain('NOTIFY_CA_FILE');
  });
});

describe('reading a CA file', () => {
  it('CRLF line ends, and a broken certificate before the good one, are read as OpenSSL reads them', async () => {
    const issued = caWith();
    const served = await tlsSlack(issued.tls);
    const pem = readFileSync(issued.caFile, 'utf8');
    const broken = '-----BEGIN CERTIFICATE-----\nMIIB!!notbase64\n-----END CERTIFICATE-----\n';
    const file = `${issued.caFile}.crlf.pem`;
    writeFileSync(file, `# a comment\r\n${broken}${pem.replace(/\n/g, '\r\n')}`);
    const result = await notify(['start'], jobEnv(served.webhookUrl, { NOTIFY_CA_FILE: file }));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(served.slack.requests).toHaveLength(1);
  });
});

describe('the CA list', () => {
  const pinned = readFileSync(join(ROOT, 'build/native/ca-certificates.crt'), 'utf8');
  const count = (text: string) => text.split('-----BEGIN CERTIFICATE-----').length - 1;

  it("the image's bundle is Debian's Mozilla list, never the build machine's own store", () => {
    expect(count(pinned)).toBeGreaterThan(100);
    expect(readFileSync(join(ROOT, 'dist/rootfs/etc/ssl/certs/ca-certificates.crt'), 'utf8')).toBe(
      pinned,
    );
  });

  it('the executable carries the same list, for an image without one', () => {
    const executable = readFileSync(join(ROOT, 'dist/notify'));
    expect(executable.includes(Buffer.from(pinned))).toBe(true);
  });
});
