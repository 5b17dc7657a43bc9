// A real HTTP server on 127.0.0.1 standing in for a Teams workflow's trigger (the "Post to a
// channel when a webhook request is received" template, run by Azure Logic Apps / Power
// Automate): it records every request and answers as the trigger does, or as the test scripts.
// Tests assert on the recording after the call returns.
import type { ServerResponse } from 'node:http';
import { startRecording, type Recorded, type Recording, type Responder } from './fake-chat.ts';
import { sequence } from './fake-slack.ts';

export type { Recorded, Responder };

export const WORKFLOW_ID = '4f0c2a9e8d7b46c1a3e5f60718293a4b';
export const SIG = 'q7Xb2LmN9vR4tY1wZ8cK3pS6dF0gH5jA2eU7iO9rT4y';
export const WORKFLOW_PATH = `/workflows/${WORKFLOW_ID}/triggers/manual/paths/invoke`;
export const WORKFLOW_QUERY = `?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`;

function json(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
    .end(JSON.stringify(body));
}

/** An error as Logic Apps answers it: `{ error: { code, message } }`. */
export function workflowError(status: number, code: string, message: string): Responder {
  return (_req, res) => json(res, status, { error: { code, message } });
}

/** Accepted: the workflow runs and will post the card. No body. */
export const accepted: Responder = (_req, res) => {
  res
    .writeHead(202, {
      'content-length': '0',
      'x-ms-workflow-run-id': '08584550375417183624726386330CU13',
      'x-ms-workflow-name': WORKFLOW_ID,
    })
    .end();
};

/** Throttled, as Logic Apps answers a trigger called too often. */
export function throttled(retryAfterSeconds = 1): Responder {
  return (_req, res) =>
    json(
      res,
      429,
      {
        error: {
          code: 'WorkflowRequestsThrottled',
          message: `Number of requests for workflow '${WORKFLOW_ID}' exceeded the limit. Please try again after ${retryAfterSeconds} seconds.`,
        },
      },
      { 'retry-after': String(retryAfterSeconds) },
    );
}

/**
 * The trigger as it checks a request: the workflow by its path, the caller by the URL's `sig`,
 * and the body against the template's schema (a message with attachments).
 */
export const workflowTrigger: Responder = (req, res) => {
  const url = new URL(req.path, 'http://fake');
  if (url.pathname !== WORKFLOW_PATH) {
    return workflowError(
      404,
      'WorkflowNotFound',
      `The workflow '${url.pathname.split('/')[2] ?? ''}' could not be found.`,
    )(req, res);
  }
  const sig = url.searchParams.get('sig');
  if (!sig) {
    return workflowError(
      401,
      'DirectApiAuthorizationRequired',
      'The request must be authenticated only by Shared Access scheme.',
    )(req, res);
  }
  if (sig !== SIG) {
    return workflowError(
      401,
      'DirectApiInvalidAuthorizationSignature',
      "The provided authorization signature 'sig' is not valid.",
    )(req, res);
  }
  const message = req.json as { type?: unknown; attachments?: unknown } | undefined;
  if (!message || message.type !== 'message' || !Array.isArray(message.attachments)) {
    return workflowError(
      400,
      'TriggerInputSchemaMismatch',
      "The input body for trigger 'manual' of type 'Request' did not match its schema definition.",
    )(req, res);
  }
  return accepted(req, res);
};

export interface FakeTeams extends Recording {
  /** A workflow-shaped URL on this server: the trigger's path and query, `sig` included. */
  url: string;
}

/** Answered as the trigger, or by `script`: a responder a request, and the last for the rest. */
export async function startFakeTeams(...script: Responder[]): Promise<FakeTeams> {
  const recording = await startRecording(script.length ? sequence(...script) : workflowTrigger);
  return { ...recording, url: `${recording.origin}${WORKFLOW_PATH}${WORKFLOW_QUERY}` };
}
