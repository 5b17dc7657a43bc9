// https://docs.drone.io/pipeline/environment/reference/
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
 * Drone names no forge, so links are built only for the hosted forges whose repository URL
 * (DRONE_REPO_LINK) says which one it is. Self-hosted forges get the links Drone gives.
 */
const FORGES = { 'github.com': FORGE_PAGES.github, 'gitlab.com': FORGE_PAGES.gitlab } as const;

type Forge = ForgePages;

const SHA = COMMIT_SHA;
const NUMBER = /^\d+$/;

/** The forge and the repository URL (no trailing slash) of a DRONE_REPO_LINK on a known host. */
function repositoryOf(link: string | undefined): { forge: Forge; url: string } | undefined {
  const match = /^https:\/\/([^/@\s]+)\/(\S+?)\/*$/.exec(link ?? '');
  const host = match?.[1]?.toLowerCase();
  if (!match || !host || !Object.hasOwn(FORGES, host)) return undefined;
  return { forge: FORGES[host as keyof typeof FORGES], url: `https://${host}/${match[2]}` };
}

/**
 * DRONE_COMMIT_LINK is "a link to the git commit or object": a commit, but also a compare view
 * (GitHub pushes) or the pull request. It is the commit's URL only when it ends in this SHA.
 */
function commitUrl(env: Env, sha: string | undefined, repo: ReturnType<typeof repositoryOf>) {
  if (!sha || !SHA.test(sha)) return undefined;
  const link = val(env, 'DRONE_COMMIT_LINK');
  const last = /^https?:\/\/\S+\/commits?\/([0-9a-f]+)\/?$/i.exec(link ?? '')?.[1];
  if (last?.toLowerCase() === sha.toLowerCase()) return link;
  return repo ? `${repo.url}/${repo.forge.commit}/${sha}` : undefined;
}

function pullRequest(env: Env, repo: ReturnType<typeof repositoryOf>): CiContext['change'] {
  const number = val(env, 'DRONE_PULL_REQUEST');
  if (!number) return undefined;
  // On pull request builds DRONE_COMMIT_LINK is the pull (or merge) request's page.
  const link = val(env, 'DRONE_COMMIT_LINK');
  const [, path, linked] =
    /^https?:\/\/\S+\/(pull|pulls|pull-requests|merge_requests)\/(\d+)\/?$/i.exec(link ?? '') ?? [];
  const fromLink = linked === number ? link : undefined;
  const built =
    repo && NUMBER.test(number) ? `${repo.url}/${repo.forge.pull}/${number}` : undefined;
  const mergeRequest = fromLink ? path === 'merge_requests' : repo?.forge.kind === 'merge_request';
  return {
    kind: mergeRequest ? 'merge_request' : 'pull_request',
    number,
    title: val(env, 'DRONE_PULL_REQUEST_TITLE'),
    url: fromLink ?? built,
  };
}

/**
 * Who started the build: DRONE_BUILD_TRIGGER is a user's login for a build started by hand, or
 * `@hook` (a webhook) or another `@` word (a cron), which name nobody. Drone gives no pusher: the
 * commit's author is not necessarily who pushed, so nothing is guessed.
 */
function userOf(env: Env): string | undefined {
  const trigger = val(env, 'DRONE_BUILD_TRIGGER');
  return trigger?.startsWith('@') ? undefined : trigger;
}

/**
 * DRONE_BUILD_STATUS is the whole build's state when the step started (a snapshot: a parallel
 * pipeline may not have ended yet); DRONE_STAGE_STATUS is this pipeline's. A failure in either is
 * a failure; `success` and `failure` become our words, anything else is passed on as given.
 */
function status(env: Env): string | undefined {
  const stage = val(env, 'DRONE_STAGE_STATUS');
  const raw =
    stage?.toLowerCase() === 'failure' ? stage : (val(env, 'DRONE_BUILD_STATUS') ?? stage);
  const key = raw?.toLowerCase();
  if (key === 'success') return 'success';
  if (key === 'failure') return 'failed';
  return raw;
}

export const drone: Provider = {
  name: 'drone',
  // Woodpecker sets Drone's variables too (DRONE_BUILD_STATUS always `success`) for Drone plugins.
  detect: (env) => val(env, 'DRONE') === 'true' && val(env, 'CI') !== 'woodpecker',
  context(env) {
    const projectUrl = val(env, 'DRONE_REPO_LINK');
    const repo = repositoryOf(projectUrl);
    const sha = val(env, 'DRONE_COMMIT_SHA') ?? val(env, 'DRONE_COMMIT');
    const ref = /^refs\/(heads|tags)\/(.+)$/.exec(val(env, 'DRONE_COMMIT_REF') ?? '');
    const tag = val(env, 'DRONE_TAG') ?? (ref?.[1] === 'tags' ? ref[2] : undefined);
    const buildUrl = val(env, 'DRONE_BUILD_LINK');
    return {
      provider: 'drone',
      project: {
        name: val(env, 'DRONE_REPO_NAME'),
        path: val(env, 'DRONE_REPO'),
        url: projectUrl,
      },
      ref: {
        // On pull requests DRONE_COMMIT_BRANCH is the target branch; the source is what was pushed.
        name:
          tag ??
          val(env, 'DRONE_SOURCE_BRANCH') ??
          val(env, 'DRONE_COMMIT_BRANCH') ??
          (ref?.[1] === 'heads' ? ref[2] : undefined),
        isTag: tag !== undefined,
        defaultBranch: val(env, 'DRONE_REPO_BRANCH'),
      },
      // Set on promote and rollback builds only.
      environment: { name: val(env, 'DRONE_DEPLOY_TO') },
      user: userOf(env),
      commit: {
        sha,
        shortSha: sha?.slice(0, 8),
        title: firstLine(val(env, 'DRONE_COMMIT_MESSAGE')),
        // The display name may be empty (it is what the committer typed); the login is not.
        author: val(env, 'DRONE_COMMIT_AUTHOR_NAME') ?? val(env, 'DRONE_COMMIT_AUTHOR'),
        url: commitUrl(env, sha, repo),
      },
      pipeline: {
        id: val(env, 'DRONE_BUILD_NUMBER'),
        url: buildUrl,
        source: val(env, 'DRONE_BUILD_EVENT'),
        startedAt:
          isoFromUnixSeconds(val(env, 'DRONE_BUILD_STARTED')) ??
          isoFromUnixSeconds(val(env, 'DRONE_BUILD_CREATED')),
      },
      // notify start and notify finish run in steps of their own: the job they speak for is the
      // stage (the `kind: pipeline` document), whose name and start every step shares. Drone has
      // no variable with a stage's URL: the build's page is the link.
      job: {
        name: val(env, 'DRONE_STAGE_NAME'),
        url: buildUrl,
        startedAt: isoFromUnixSeconds(val(env, 'DRONE_STAGE_STARTED')),
      },
      status: status(env),
      change: pullRequest(env, repo),
    };
  },
};
