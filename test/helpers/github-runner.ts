// A GitHub runner's view of one step of the Action: the variables a runner sets for a push to
// main (GITHUB_*, RUNNER_TEMP), the step's files GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, and every
// input action.yml declares as INPUT_<NAME>: the value the step gives, or empty, as the runner
// passes a declared input that has no default. Also what the runner reads back from the files.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { inputVariable } from '../../src/action.ts';
import { ROOT } from './run.ts';

export const ACTION_YML_TEXT = readFileSync(join(ROOT, 'action.yml'), 'utf8');

export interface ActionYml {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: unknown }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

export const ACTION_YML = parse(ACTION_YML_TEXT) as ActionYml;

/** The push to main the fixtures describe (test/fixtures/github/push.json). */
export const PUSH_SHA = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';
export const RUN_URL = 'https://github.com/team/chat-server/actions/runs/4242';

export interface Step {
  /** The job's folder: the workspace, RUNNER_TEMP and the step's files are in it. */
  dir: string;
  output: string;
  summary: string;
  env: Record<string, string>;
}

/**
 * One step's environment in `dir`: the runner's variables, the step's `env:` (`stepEnv`), and
 * the inputs of its `with:` (every declared one set, empty when not given).
 */
export function runnerStep(
  dir: string,
  inputs: Record<string, string>,
  stepEnv: Record<string, string> = {},
): Step {
  const workspace = join(dir, 'workspace');
  const temp = join(dir, 'temp');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(temp, { recursive: true });
  const output = join(temp, 'set_output');
  const summary = join(temp, 'step_summary');
  for (const name of Object.keys(inputs)) {
    if (!(name in ACTION_YML.inputs)) throw new Error(`action.yml declares no input ${name}`);
  }
  const given = Object.fromEntries(
    Object.keys(ACTION_YML.inputs).map((name) => [inputVariable(name), inputs[name] ?? '']),
  );
  return {
    dir,
    output,
    summary,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: 'https://api.github.com',
      GITHUB_REPOSITORY: 'team/chat-server',
      GITHUB_REPOSITORY_OWNER: 'team',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_NUMBER: '17',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_SHA: PUSH_SHA,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_REF_TYPE: 'branch',
      GITHUB_REF_PROTECTED: 'true',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: join(ROOT, 'test/fixtures/github/push.json'),
      GITHUB_ACTOR: 'jiyoung',
      GITHUB_TRIGGERING_ACTOR: 'jiyoung',
      GITHUB_WORKFLOW: 'CI',
      GITHUB_JOB: 'deploy',
      GITHUB_ACTION: 'notify',
      GITHUB_ACTION_PATH: ROOT,
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      RUNNER_TEMP: temp,
      RUNNER_OS: 'Linux',
      ...stepEnv,
      ...given,
    },
  };
}

/**
 * The outputs as the runner reads `name<<delimiter` blocks back; throws on anything else, and on
 * a delimiter used twice or one that a value could have known.
 */
export function readOutputs(text: string): Record<string, string> {
  const lines = text.split('\n');
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '' && i === lines.length - 1) break;
    const match = /^([\w-]+)<<(ghadelimiter_[0-9a-f-]{36})$/.exec(line);
    if (!match) throw new Error(`not an output line: ${JSON.stringify(line)}`);
    const [, name, delimiter] = match;
    if (seen.has(delimiter!)) throw new Error(`delimiter used twice: ${delimiter}`);
    seen.add(delimiter!);
    const end = lines.indexOf(delimiter!, i + 1);
    if (end < 0) throw new Error(`output ${name} is not closed`);
    out[name!] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return out;
}

/** The workflow commands a runner knows (actions/runner's ActionCommandManager and extensions). */
const RUNNER_COMMANDS = [
  'stop-commands',
  'set-env',
  'set-output',
  'save-state',
  'add-mask',
  'add-path',
  'add-matcher',
  'remove-matcher',
  'echo',
  'debug',
  'notice',
  'warning',
  'error',
  'group',
  'endgroup',
];

/**
 * A line as the runner parses it: `::name props::data` once blanks are trimmed, else
 * `##[name props]data` anywhere in it (the first `##[` only); names in any case. Zero-width
 * characters count for nothing, as they may in the runner's culture-aware comparisons.
 */
function parseCommand(
  raw: string,
  registered: ReadonlySet<string>,
): { name: string; data: string } | undefined {
  const line = raw.replace(/\p{Cf}/gu, '');
  const trimmed = line.trimStart();
  if (trimmed.startsWith('::')) {
    const end = trimmed.indexOf('::', 2);
    const name = end < 0 ? '' : trimmed.slice(2, end).split(' ')[0]!.toLowerCase();
    if (registered.has(name)) return { name, data: trimmed.slice(end + 2) };
  }
  const at = line.indexOf('##[');
  const close = at < 0 ? -1 : line.indexOf(']', at);
  if (close < 0) return undefined;
  const name = line
    .slice(at + 3, close)
    .split(' ')[0]!
    .toLowerCase();
  return registered.has(name) ? { name, data: line.slice(close + 1) } : undefined;
}

/**
 * The workflow commands the runner would run from a step's output, as `stream: name` (`resume`
 * for the token that ends a `::stop-commands::`). Standard output is read in order, with
 * stop-commands kept as the runner keeps it. Standard error is read apart from it, in an order
 * of the runner's own: each of its lines is taken as if no stop were in force.
 */
export function runnerCommands(stdout: string, stderr: string): string[] {
  const run: string[] = [];
  const registered = new Set(RUNNER_COMMANDS);
  let token: string | undefined;
  for (const line of stdout.split('\n')) {
    const command = parseCommand(line, registered);
    if (!command) continue;
    if (token !== undefined) {
      if (command.name !== token) continue;
      run.push('stdout: resume');
      registered.delete(token);
      token = undefined;
      continue;
    }
    run.push(`stdout: ${command.name}`);
    if (command.name === 'stop-commands') {
      token = command.data.toLowerCase();
      registered.add(token);
    }
  }
  if (token !== undefined) run.push('stdout: (still stopped)');
  for (const line of stderr.split('\n')) {
    const command = parseCommand(line, new Set(RUNNER_COMMANDS));
    if (command) run.push(`stderr: ${command.name}`);
  }
  return run;
}
