// https://woodpecker-ci.org/docs/usage/environment
import {
  firstLine,
  isoFromUnixSeconds,
  val,
  type CiContext,
  type Env,
  type Provider,
} from '../context.ts';
import { COMMIT_SHA, FORGE_PAGES, type ForgePages } from './forges.ts';

/**
 * The forges whose commit and pull request pages hang off the repository's web URL
 * (CI_REPO_URL) in one known shape. Bitbucket (cloud and Data Center) is left out.
 */
const FORGES = {
  github: FORGE_PAGES.github,
  gitea: FORGE_PAGES.gitea,
  forgejo: FORGE_PAGES.forgejo,
  gitlab: FORGE_PAGES.gitlab,
} as const;

type Forge = ForgePages;

const SHA = COMMIT_SHA;
const NUMBER = /^\d+$/;

/** CI_FORGE_TYPE when it is one of FORGES. */
function forgeOf(env: Env): Forge | undefined {
  const type = val(env, 'CI_FORGE_TYPE')?.toLowerCase();
  return type && Object.hasOwn(FORGES, type) ? FORGES[type as keyof typeof FORGES] : undefined;
}

/** CI_REPO_URL without a trailing slash, when it is a web address to build links on. */
function webUrl(url: string | undefined): string | undefined {
  return url && /^https?:\/\/[^/\s]+\/\S+$/i.test(url) ? url.replace(/\/+$/, '') : undefined;
}

/** A forge link Woodpecker gives, when it points at this very commit (`…/commit(s)/<sha>`). */
function commitLink(link: string | undefined, sha: string): string | undefined {
  const last = /^https?:\/\/\S+\/commits?\/([0-9a-f]+)\/?$/i.exec(link ?? '')?.[1];
  return last?.toLowerCase() === sha.toLowerCase() ? link : undefined;
}

function commitUrl(env: Env, forge: Forge | undefined, repoUrl: string | undefined) {
  const sha = val(env, 'CI_COMMIT_SHA');
  if (!sha || !SHA.test(sha)) return undefined;
  if (forge && repoUrl) return `${repoUrl}/${forge.commit}/${sha}`;
  // CI_PIPELINE_FORGE_URL (CI_COMMIT_URL before 3.0) is the pipeline's link in the forge: a
  // commit on a push, but a compare view, a tag or a pull request otherwise.
  return (
    commitLink(val(env, 'CI_PIPELINE_FORGE_URL'), sha) ?? commitLink(val(env, 'CI_COMMIT_URL'), sha)
  );
}

function pullRequest(
  env: Env,
  forge: Forge | undefined,
  repoUrl: string | undefined,
): CiContext['change'] {
  const number = val(env, 'CI_COMMIT_PULL_REQUEST');
  if (!number) return undefined;
  return {
    kind: forge?.kind ?? 'pull_request',
    number,
    url: forge && repoUrl && NUMBER.test(number) ? `${repoUrl}/${forge.pull}/${number}` : undefined,
  };
}

/** `success` / `failure`, Woodpecker's two words, in ours; anything else as given. */
function status(raw: string | undefined): string | undefined {
  const key = raw?.toLowerCase();
  if (key === 'success') return 'success';
  if (key === 'failure') return 'failed';
  return raw;
}

export const woodpecker: Provider = {
  name: 'woodpecker',
  detect: (env) => val(env, 'CI') === 'woodpecker',
  context(env) {
    const forge = forgeOf(env);
    const projectUrl = val(env, 'CI_REPO_URL');
    const repoUrl = webUrl(projectUrl);
    const sha = val(env, 'CI_COMMIT_SHA');
    const ref = /^refs\/(heads|tags)\/(.+)$/.exec(val(env, 'CI_COMMIT_REF') ?? '');
    const tag = val(env, 'CI_COMMIT_TAG') ?? (ref?.[1] === 'tags' ? ref[2] : undefined);
    const pipelineUrl = val(env, 'CI_PIPELINE_URL');
    return {
      provider: 'woodpecker',
      project: { name: val(env, 'CI_REPO_NAME'), path: val(env, 'CI_REPO'), url: projectUrl },
      ref: {
        // On pull requests CI_COMMIT_BRANCH is the target branch; the source is what was pushed.
        name:
          tag ??
          val(env, 'CI_COMMIT_SOURCE_BRANCH') ??
          val(env, 'CI_COMMIT_BRANCH') ??
          (ref?.[1] === 'heads' ? ref[2] : undefined),
        isTag: tag !== undefined,
        defaultBranch: val(env, 'CI_REPO_DEFAULT_BRANCH'),
      },
      environment: { name: val(env, 'CI_PIPELINE_DEPLOY_TARGET') },
      user: val(env, 'CI_PIPELINE_AUTHOR'),
      commit: {
        sha,
        shortSha: sha?.slice(0, 8),
        title: firstLine(val(env, 'CI_COMMIT_MESSAGE')),
        author: val(env, 'CI_COMMIT_AUTHOR'),
        url: commitUrl(env, forge, repoUrl),
      },
      pipeline: {
        id: val(env, 'CI_PIPELINE_NUMBER'),
        url: pipelineUrl,
        source: val(env, 'CI_PIPELINE_EVENT'),
        startedAt:
          isoFromUnixSeconds(val(env, 'CI_PIPELINE_STARTED')) ??
          isoFromUnixSeconds(val(env, 'CI_PIPELINE_CREATED')),
      },
      // notify start and notify finish run in steps of their own: the job they speak for is the
      // workflow. A step's name, URL and start would be the notify step's own; the pipeline's
      // page is the closest link to the workflow.
      job: { name: val(env, 'CI_WORKFLOW_NAME'), url: pipelineUrl },
      // Woodpecker 2.x set both (the same value); 3.15+ sets CI_PIPELINE_STATUS, the workflow's
      // state when the step started; 3.0 to 3.14 set neither.
      status: status(val(env, 'CI_STEP_STATUS') ?? val(env, 'CI_PIPELINE_STATUS')),
      change: pullRequest(env, forge, repoUrl),
    };
  },
};
