// What a chat tool is to notify: how its webhook URLs look, how a Report reads there (its syntax,
// its escaping, its limits), and what its answers mean. One file per tool in this folder, each
// exporting one of these; src/targets/index.ts picks one by the webhook URL or NOTIFY_TARGET.
import type { DeliveryError } from '../errors.ts';
import type { Verdict } from '../http.ts';
import type { HttpResponse } from '../platform/types.ts';
import type { Report } from '../report.ts';

export const TARGET_NAMES = ['slack', 'mattermost', 'teams', 'discord', 'google-chat'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** One request to the tool. */
export interface Delivery {
  url: URL;
  method: 'POST' | 'PATCH';
  /** JSON. */
  body: string;
}

/** What a delivered message is known by, where the tool says (Discord's message id). */
export interface Delivered {
  id?: string;
}

export interface Target {
  name: TargetName;
  /** The tool's name in messages: `Microsoft Teams`. */
  title: string;
  /**
   * Why a webhook URL is this tool's (`the host is discord.com and the path /api/webhooks/…`),
   * for --dry-run; undefined when it is not.
   */
  recognise(url: URL): string | undefined;
  /** The payload: the tool's syntax, its escaping, within its limits. Pure. */
  render(report: Report): unknown;
  /**
   * Where and how the payload goes. The URL may gain query parameters (a thread, `wait=true`).
   * `previousId`: the message this job's start posted, for a tool whose messages are edited.
   */
  request(url: URL, payload: unknown, report: Report, previousId?: string): Delivery;
  /** An answer: delivered, a retry (429, 5xx: the shared policy in http.ts), or a failure. */
  judge(response: HttpResponse, attempts: number): Verdict<Delivered>;
  /** Whether a job's finish edits its start's message (Discord) instead of posting anew. */
  editsMessages?: boolean;
  /** Whether an edit failed because the message is gone: then the finish posts anew. */
  editGone?: (error: unknown) => boolean;
}

export type { DeliveryError };
