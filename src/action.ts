// The GitHub Action (action.yml): the step's inputs, as the runner gives them (INPUT_*), become
// notify's flags; the program is the one `notify start|finish` runs (main, in cli.ts); then the
// step's outputs go to $GITHUB_OUTPUT and the message to $GITHUB_STEP_SUMMARY. Each input is
// named as its flag, so an input beats the step's environment as a flag does.
// https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax#inputs
// https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
import { main, type MainOptions, type Outcome } from './cli.ts';
import { parseSwitch, SETTINGS } from './config.ts';
import type { Env } from './context.ts';
import { ConfigError, ExitCode } from './errors.ts';
import { oneLine, quote } from './output.ts';
import type { Report } from './report.ts';
import { renderStepSummary } from './targets/step-summary.ts';

export interface ActionOptions extends Omit<MainOptions, 'argv' | 'onOutcome'> {
  /** A new, unguessable delimiter for a multi-line output value. */
  delimiter(): string;
}

/** The commands the Action runs; `doctor` is the command line's. */
const COMMANDS = ['start', 'finish'] as const;

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
  for (const spec of Object.values(SETTINGS)) {
    const value = input(env, spec.flag);
    if (value === undefined) continue;
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
 * The Action's run: inputs to flags, main, then the outputs and the step summary. What cannot
 * be written is one warning line, never the step's result: the exit code is main's.
 */
export async function runAction(options: ActionOptions): Promise<ExitCode> {
  const { env } = options;
  const warn = (line: string) => options.stderr(`${oneLine(line)}\n`);
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

  let argv: string[];
  try {
    argv = actionArgv(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    warn(`notify: ${error.message}`);
    return ExitCode.Usage;
  }

  let told: { outcome: Outcome; mask: (text: string) => string } | undefined;
  // The last line that ended the run, for the annotation on the run's page.
  let ended: string | undefined;
  const code = await main({
    ...options,
    argv,
    // The Action's outputs are its own (ts, channel): the command line's for a run step
    // (slack_ts, slack_channel) are not written as well.
    env: { ...env, GITHUB_OUTPUT: undefined },
    stderr: (text) => {
      options.stderr(text);
      const line = text.replace(/\n$/, '');
      if (/^notify: (?!warning: |note: )/.test(line) && !line.includes('\n')) ended = line;
    },
    onOutcome: (outcome, mask) => (told = { outcome, mask }),
  });

  append('GITHUB_OUTPUT', "the step's outputs", () =>
    outputsText(actionOutputs(told?.outcome), options.delimiter),
  );
  const outcome = told?.outcome;
  // A run that had nothing to send writes nothing: the step's log has its one line, and a fork's
  // runs, with no secrets, do not fill the run's page.
  if (told && outcome && outcome.kind !== 'skipped') {
    const { mask } = told;
    const note = outcome.kind === 'sent' ? undefined : outcome.kind;
    // Masked before it is drawn, as well as after: Markdown's escapes inside a token would hide
    // it from the mask (`xoxb\-…`).
    const report = JSON.parse(JSON.stringify(outcome.report), (_key, value: unknown) =>
      typeof value === 'string' ? mask(value) : value,
    ) as Report;
    append('GITHUB_STEP_SUMMARY', 'the step summary', () => mask(renderStepSummary(report, note)));
  }
  if (code !== ExitCode.Ok && ended)
    options.stdout(`::error title=notify::${commandData(ended)}\n`);
  return code;
}
