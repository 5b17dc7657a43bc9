// What every fake chat tool is built on: a real HTTP server on 127.0.0.1 that records each
// request (its body parsed as JSON where it is JSON) before a responder answers it, as the tool
// would or as the test scripts. Tests assert on the recording after the call returns.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Recorded, Responder } from './fake-slack.ts';
import { listen } from './listen.ts';

export type { Recorded, Responder };

export interface Recording {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  origin: string;
  requests: Recorded[];
  close(): Promise<void>;
}

export async function startRecording(responder: Responder): Promise<Recording> {
  const requests: Recorded[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = undefined;
      }
      const recorded: Recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        json: parsed,
        at: Date.now(),
      };
      requests.push(recorded);
      void Promise.resolve(responder(recorded, res)).catch(() => res.destroy());
    });
  });
  const { port, close } = await listen(server);
  return { origin: `http://127.0.0.1:${port}`, requests, close };
}

/** The first requests answered by `before`, one each in order; every later one by `otherwise`. */
export function scripted(before: readonly Responder[] = [], otherwise: Responder): Responder {
  let answered = 0;
  return (req, res) => (before[answered++] ?? otherwise)(req, res);
}
