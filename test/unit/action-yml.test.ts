// action.yml and the settings table are one: every input is a setting's flag (or the command),
// every setting a workflow would set is an input, each described as `notify --help` describes it;
// and the file is an action's metadata by GitHub's schema.
import { validateAction, type ValidationError } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { actionOutputs, INPUT_SETTINGS, NOT_INPUTS } from '../../src/action.ts';
import { SETTINGS, type SettingKey } from '../../src/config.ts';
import { ACTION_YML, ACTION_YML_TEXT } from '../helpers/github-runner.ts';

const SPECS = Object.entries(SETTINGS) as Array<[SettingKey, (typeof SETTINGS)[SettingKey]]>;

/**
 * An input of the Action's own: `command` is the command line's first word. `status` and
 * `github-token` are settings, but their descriptions are the Action's: GitHub gives the one as
 * job.status, and the other as github.token (a step has no GITHUB_TOKEN variable).
 */
const OWN = ['command'];
const OWN_WORDS: SettingKey[] = ['status', 'githubToken'];

/** `${{ … }}` written as text: GitHub evaluates it anywhere in action.yml, and fails to load. */
const plain = (text: string) => text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, '$1');

const inputs = Object.entries(ACTION_YML.inputs);

describe('action.yml', () => {
  it('runs the bundle the build makes, on the runner’s Node 24', () => {
    expect(ACTION_YML.runs).toEqual({ using: 'node24', main: 'dist/action.cjs' });
  });

  it('every input is the command or a setting, named as its flag (kebab case)', () => {
    const flags = new Set<string>(SPECS.map(([, spec]) => spec.flag));
    for (const [name] of inputs) {
      expect(name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(OWN.includes(name) || flags.has(name), name).toBe(true);
    }
  });

  it('every setting a workflow sets is an input; the others are the Action’s NOT_INPUTS', () => {
    const missing = SPECS.filter(([, spec]) => !(spec.flag in ACTION_YML.inputs)).map(
      ([key]) => key,
    );
    expect(missing.sort()).toEqual(Object.keys(NOT_INPUTS).sort());
    for (const key of Object.keys(NOT_INPUTS) as SettingKey[]) {
      expect(SETTINGS[key].flag in ACTION_YML.inputs).toBe(false);
    }
  });

  it('the inputs the Action reads are the settings action.yml declares, and no other', () => {
    expect(INPUT_SETTINGS.map(([, spec]) => spec.flag).sort()).toEqual(
      Object.keys(ACTION_YML.inputs)
        .filter((name) => !OWN.includes(name))
        .sort(),
    );
  });

  it.each(SPECS.filter(([key]) => !OWN_WORDS.includes(key) && !(key in NOT_INPUTS)))(
    '%s: described as notify --help describes it, with its variable',
    (_key, spec) => {
      expect(ACTION_YML.inputs[spec.flag]!.description).toBe(
        `${plain(spec.describe)} [$${spec.env}]`,
      );
    },
  );

  it('status says where its value comes from on GitHub, and its variable', () => {
    const { description } = ACTION_YML.inputs.status!;
    expect(description).toContain('job.status');
    expect(description).toContain(`[$${SETTINGS.status.env}]`);
  });

  it('github-token says to give it github.token, the runner setting no GITHUB_TOKEN', () => {
    const { description } = ACTION_YML.inputs['github-token']!;
    expect(description).toContain('expression github.token');
    expect(description).not.toContain('default: GITHUB_TOKEN');
    expect(description).toContain(`[$${SETTINGS.githubToken.env}]`);
    // The rest is notify --help's.
    expect(
      description.startsWith(SETTINGS.githubToken.describe.replace(/ \[default: .*\]$/, '')),
    ).toBe(true);
  });

  it('only the command is required', () => {
    const required = inputs.filter(([, spec]) => spec.required === true).map(([name]) => name);
    expect(required).toEqual(['command']);
  });

  it('no input has a default: the runner would give it as an input, over the env: variable', () => {
    expect(inputs.filter(([, spec]) => 'default' in spec).map(([name]) => name)).toEqual([]);
  });

  it('holds no ${{ }} expression: GitHub would evaluate it, and fail to load the Action', () => {
    expect(ACTION_YML_TEXT).not.toContain('${{');
  });

  it('its outputs are the ones the Action writes', () => {
    expect(Object.keys(ACTION_YML.outputs)).toEqual(actionOutputs(undefined).map(([n]) => n));
  });

  it('is valid action metadata by the schema of @action-validator/core', () => {
    const { actionType, errors } = validateAction(ACTION_YML_TEXT);
    expect(actionType).toBe('action');
    // The validator's schema lists the runtimes up to node20; node24 is GitHub's current one.
    // The file is valid but for that, and that one enum is all the schema has against it.
    const node24Only = (error: ValidationError) =>
      'path' in error &&
      error.path === '/runs' &&
      (error.states ?? []).some(
        (state) =>
          state.errors.length === 1 &&
          'path' in state.errors[0]! &&
          state.errors[0].path === '/runs/using' &&
          state.errors[0].code === 'enum',
      );
    expect(errors.filter((error) => !node24Only(error))).toEqual([]);
    const asNode20 = ACTION_YML_TEXT.replace(/^ {2}using: node24$/m, '  using: node20');
    expect(asNode20).not.toBe(ACTION_YML_TEXT);
    expect(validateAction(asNode20).errors).toEqual([]);
  });
});
