// The GitHub Action (action.yml): the step's inputs, as the runner gives them (INPUT_*), become
// notify's flags; the program is the one `notify start|finish` runs (main, in cli.ts); then the
// step's outputs go to $GITHUB_OUTPUT and the message to $GITHUB_STEP_SUMMARY. Each input is
// named as its flag, so an input beats the step's environment as a flag does.
// https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax#inputs
// https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
import { main, type MainOptions, type Outcome } from './cli.ts';
import { parseSwitch, SETTINGS, type SettingKey } from './config.ts';
import type { Env } from './context.ts';
import { ConfigError, ExitCode } from './errors.ts';
import { oneLine, quote } from './output.ts';
import type { Report } from './report.ts';
import { parseStatus, STATUS_NAMES } from './status.ts';
import { renderStepSummary } from './targets/step-summary.ts';

export interface ActionOptions extends Omit<MainOptions, 'argv' | 'onOutcome'> {
  /** A new, unguessable delimiter for a multi-line output value. */
  delimiter(): string;
  /** A new, unguessable token that resumes workflow commands after `::stop-commands::`. */
  stopToken(): string;
}

/** The commands the Action runs; `doctor` is the command line's. */
const COMMANDS = ['start', 'finish'] as const;

/**
 * The settings that are no input of the Action, and why: the runner passes an input action.yml
 * does not declare (with a warning only), and such an input is not read.
 */
export const NOT_INPUTS: Readonly<Partial<Record<SettingKey, string>>> = {
  gitlabToken: "GitLab's API token: the Action runs on GitHub, whose token is github-token",
  stateFile:
    "a dotenv file for GitLab's artifacts: reports: dotenv:; on GitHub the outputs ts and channel hand the message on",
};

/** The settings that are inputs of the Action (action.yml declares each, named as its flag). */
export const INPUT_SETTINGS = (
  Object.entries(SETTINGS) as Array<[SettingKey, (typeof SETTINGS)[SettingKey]]>
).filter(([key]) => !(key in NOT_INPUTS));

/** The words of GitHub's job.status, which the status input is given. */
const JOB_STATUS = 'success, failure or cancelled, as job.status gives it';

/** The variable the runner sets for an input: its name upper-cased, spaces as `_`. */
export const inputVariable = (name: string): string =>
  `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

/** An input's value; one given empty (or blank) is not given, as an unset variable is not. */
export function input(env: Env, name: string): string | undefined {
  const value = env[inputVariable(name)];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** A value quoted back only when it is a plain word: anything else may be a secret pasted there. */
const got = (value: string) => (/^[\w.-]{1,24}$/.test(value) ? ` (got ${quote(value)})` : '');

/**
 * The command line the inputs make: the command, then each setting given as an input, as its
 * flag. A string goes inline (`--timeout=10`), so that no value can be read as a flag; a switch
 * as `--dry-run` or `--no-dry-run`, so that `false` beats the environment too.
 */
export function actionArgv(env: Env): string[] {
  const command = input(env, 'command')?.trim();
  if (command === undefined) {
    throw new ConfigError('the command input is required: start or finish');
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new ConfigError(`the command input must be start or finish${got(command)}`);
  }
  const argv = [command];
  for (const [key, spec] of INPUT_SETTINGS) {
    const value = input(env, spec.flag);
    if (value === undefined) continue;
    if (key === 'status' && parseStatus(value) === undefined) {
      throw new ConfigError(`the status input must be ${JOB_STATUS}${got(value.trim())}`);
    }
    if (spec.type === 'string') {
      argv.push(`--${spec.flag}=${value}`);
      continue;
    }
    let on: boolean;
    try {
      on = parseSwitch(spec.flag, value);
    } catch {
      throw new ConfigError(`the ${spec.flag} input must be true or false${got(value.trim())}`);
    }
    argv.push(on ? `--${spec.flag}` : `--no-${spec.flag}`);
  }
  return argv;
}

/**
 * The step's outputs: the Slack app's pipeline message (`ts`, `channel`), empty outside app mode
 * and when its turn did not go through.
 */
export function actionOutputs(outcome: Outcome | undefined): Array<[name: string, value: string]> {
  const app = outcome && outcome.kind !== 'skipped' ? outcome.app : undefined;
  return [
    ['ts', app?.ts ?? ''],
    ['channel', app?.channel ?? ''],
  ];
}

/**
 * Outputs in the runner's multi-line form, each value between a delimiter line of its own:
 * nothing a value holds can end it early or add an output.
 */
export function outputsText(
  outputs: ReadonlyArray<readonly [string, string]>,
  delimiter: () => string,
): string {
  return outputs
    .map(([name, value]) => {
      const end = delimiter();
      if (value.includes(end)) throw new Error(`the value of output ${name} holds its delimiter`);
      return `${name}<<${end}\n${value}\n${end}\n`;
    })
    .join('');
}

/** A workflow command's message: `%`, CR and LF as the runner reads them back. */
const commandData = (text: string) =>
  text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/**
 * Text the runner shows and never runs. It takes a line for a workflow command when the line
 * opens with `::` (after blanks), or holds `##[` anywhere (the legacy form); and it may compare
 * as a culture does, where a zero-width character counts for nothing. So a space, which counts,
 * goes into each: `: :` and `## [`.
 */
export function inert(text: string): string {
  return text
    .replace(/#\p{Cf}*#\p{Cf}*\[/gu, (found) => `${found.slice(0, -1)} [`)
    .replace(/^([\s\p{Cf}]*:\p{Cf}*):/gmu, '$1 :');
}

const CLI_STATUSES = STATUS_NAMES.join(', ');

/**
 * A line of main's in the Action's words: the status is the status input, given job.status
 * (success, failure, cancelled), not --status with GitLab's words.
 */
export function actionWords(line: string): string {
  const missing = `notify: warning: no job status was found; pass --status (${CLI_STATUSES}) or set NOTIFY_STATUS.`;
  if (line.startsWith(missing)) {
    return `notify: warning: no job status was given: set the status input to job.status (success, failure, cancelled), or NOTIFY_STATUS.${line.slice(missing.length)}`;
  }
  const invalid = `notify: NOTIFY_STATUS must be one of ${CLI_STATUSES} (got `;
  if (line.startsWith(invalid)) {
    return `notify: NOTIFY_STATUS must be ${JOB_STATUS} (got ${line.slice(invalid.length)}`;
  }
  return line;
}

/**
 * The step's result on the run's page: the reason as an error annotation. The runner shows it in
 * the step's log as well, so the reason is printed this once.
 */
const annotation = (line: string) => `::error title=notify::${commandData(inert(oneLine(line)))}\n`;

/**
 * An error nothing expected: one line, the annotation, and the exit code main gives such an
 * error (the command line's: no other code is set aside for it).
 */
export function unexpected(
  error: unknown,
  stdout: (text: string) => void,
  mask: (text: string) => string = (text) => text,
): ExitCode {
  const message = error instanceof Error ? error.message : String(error);
  stdout(annotation(mask(`notify: unexpected error: ${message}`)));
  return ExitCode.DeliveryFailed;
}

/**
 * The Action's run: inputs to flags, main, then the outputs and the step summary. What cannot
 * be written is one warning line, never the step's result: the exit code is main's.
 *
 * What main prints can hold commit and pull request titles, names and servers' words. On stdout
 * it goes between `::stop-commands::` and a token no one can know in advance, so that the runner
 * runs none of it and a dry run's payload is printed as it is; the Action's own commands (the
 * annotation) come after the token. The runner reads stderr apart from stdout, in an order of its
 * own, so what goes there is made inert instead.
 */
export async function runAction(options: ActionOptions): Promise<ExitCode> {
  const { env } = options;
  const stderr = (text: string) => options.stderr(inert(text));
  const warn = (line: string) => stderr(`${oneLine(line)}\n`);
  /** Writes what the runner reads after the step; a file that refuses costs a warning. */
  const append = (variable: string, what: string, text: () => string) => {
    const path = env[variable]?.trim();
    if (!path) return;
    try {
      options.appendText(path, text());
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      warn(
        `notify: warning: cannot write ${what} to ${quote(path)} (${typeof code === 'string' ? code : 'error'}); the step's result stands`,
      );
    }
  };

  let told: { outcome: Outcome; mask: (text: string) => string } | undefined;
  try {
    // A job that did not run (`needs.<job>.result` is `skipped`) ended no way to speak of.
    const skipped = input(env, 'status')?.trim().toLowerCase() === 'skipped';
    let argv: string[];
    try {
      argv = actionArgv(skipped ? { ...env, [inputVariable('status')]: undefined } : env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      options.stdout(annotation(`notify: ${error.message}`));
      return ExitCode.Usage;
    }
    if (skipped) {
      options.stdout(
        `notify: not sending the ${argv[0]} notification: the status input is skipped\n`,
      );
      append('GITHUB_OUTPUT', "the step's outputs", () =>
        outputsText(actionOutputs(undefined), options.delimiter),
      );
      return ExitCode.Ok;
    }

    // The stop-commands token, once main has printed on stdout.
    let token: string | undefined;
    // The last line that may have ended the run (not a warning or a note), not printed yet: if
    // the run fails, it is the annotation.
    let held: string | undefined;
    const release = () => {
      if (held !== undefined) stderr(`${held}\n`);
      held = undefined;
    };
    let code: ExitCode;
    try {
      code = await main({
        ...options,
        argv,
        // The Action's outputs are its own (ts, channel): the command line's for a run step
        // (slack_ts, slack_channel) are not written as well.
        env: { ...env, GITHUB_OUTPUT: undefined },
        stdout: (text) => {
          release();
          if (token === undefined) {
            token = options.stopToken();
            options.stdout(`::stop-commands::${token}\n`);
          }
          options.stdout(text);
        },
        stderr: (text) => {
          const line = text.replace(/\n$/, '');
          // A block (DEBUG's stack trace) comes after the reason, which stays held.
          if (line.includes('\n')) return stderr(text);
          release();
          const said = actionWords(line);
          if (/^notify: (?!warning: |note: )/.test(said)) held = said;
          else stderr(`${said}\n`);
        },
        onOutcome: (outcome, mask) => (told = { outcome, mask }),
      });
    } finally {
      if (token !== undefined) options.stdout(`::${token}::\n`);
    }
    if (code === ExitCode.Ok) release();
    else {
      options.stdout(annotation(held ?? `notify: exit code ${code}; the step's log says why`));
      held = undefined;
    }

    append('GITHUB_OUTPUT', "the step's outputs", () =>
      outputsText(actionOutputs(told?.outcome), options.delimiter),
    );
    const outcome = told?.outcome;
    // A run that had nothing to send writes nothing: the step's log has its one line, and a
    // fork's runs, with no secrets, do not fill the run's page.
    if (told && outcome && outcome.kind !== 'skipped') {
      const { mask } = told;
      const note = outcome.kind === 'sent' ? undefined : outcome.kind;
      // Masked before it is drawn, as well as after: Markdown's escapes inside a token would
      // hide it from the mask (`xoxb\-…`).
      const report = JSON.parse(JSON.stringify(outcome.report), (_key, value: unknown) =>
        typeof value === 'string' ? mask(value) : value,
      ) as Report;
      append('GITHUB_STEP_SUMMARY', 'the step summary', () =>
        mask(renderStepSummary(report, note)),
      );
    }
    return code;
  } catch (error) {
    return unexpected(error, options.stdout, told?.mask);
  }
}
