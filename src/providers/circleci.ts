// https://circleci.com/docs/reference/variables/
import { val, type CiContext, type Env, type Provider } from '../context.ts';
import { FORGE_PAGES } from './forges.ts';

/** The forges whose repository, commit and pull request URLs have one known shape. */
const FORGES = {
  'github.com': FORGE_PAGES.github,
  'bitbucket.org': FORGE_PAGES.bitbucket,
} as const;

type Host = keyof typeof FORGES;

interface Repository {
  host: Host;
  /** `owner/repo`. */
  path: string;
  /** `https://github.com/owner/repo`. */
  url: string;
}

/** An owner or repository name as GitHub and Bitbucket allow them; `.` and `..` are not names. */
const SEGMENT = /^(?!\.+$)[\w.-]+$/;

/**
 * CIRCLE_REPOSITORY_URL in the shapes CircleCI gives for GitHub and Bitbucket projects:
 * `git@github.com:owner/repo.git` or `https://github.com/owner/repo`. Any other host (GitHub
 * Enterprise, a self-hosted Bitbucket) or shape is left alone: its web URLs cannot be told.
 */
function parseRepository(raw: string | undefined): Repository | undefined {
  const match = /^(?:git@([^:/@\s]+):|https:\/\/([^/@\s]+)\/)([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(
    raw ?? '',
  );
  if (!match) return undefined;
  const [, sshHost, httpsHost, owner = '', name = ''] = match;
  const host = (sshHost ?? httpsHost ?? '').toLowerCase();
  if (!Object.hasOwn(FORGES, host) || !SEGMENT.test(owner) || !SEGMENT.test(name)) {
    return undefined;
  }
  return { host: host as Host, path: `${owner}/${name}`, url: `https://${host}/${owner}/${name}` };
}

/**
 * Whether the job runs on CircleCI cloud, judged by its job URL (`https://circleci.com/gh/...`).
 * The workflow link below exists only there; a CircleCI Server install has its own host.
 */
function onCloud(jobUrl: string | undefined): boolean {
  if (!jobUrl) return false;
  try {
    const url = new URL(jobUrl);
    return (
      url.protocol === 'https:' &&
      (url.hostname === 'circleci.com' || url.hostname === 'app.circleci.com')
    );
  } catch {
    return false;
  }
}

/**
 * CIRCLE_PULL_REQUEST is the pull request's URL; its number is the last path segment. Forked
 * pull requests also set CIRCLE_PR_NUMBER, the only number CircleCI gives outright.
 */
function pullRequest(env: Env, repo: Repository | undefined): CiContext['change'] {
  const url = val(env, 'CIRCLE_PULL_REQUEST');
  const forkNumber = val(env, 'CIRCLE_PR_NUMBER');
  const number =
    /\/(\d+)\/?$/.exec(url ?? '')?.[1] ??
    (forkNumber && /^\d+$/.test(forkNumber) ? forkNumber : undefined);
  if (!number) return undefined;
  return {
    kind: 'pull_request',
    number,
    url: url ?? (repo && `${repo.url}/${FORGES[repo.host].pull}/${number}`),
  };
}

export const circleci: Provider = {
  name: 'circleci',
  detect: (env) => val(env, 'CIRCLECI') !== undefined,
  context(env) {
    const repo = parseRepository(val(env, 'CIRCLE_REPOSITORY_URL'));
    const owner = val(env, 'CIRCLE_PROJECT_USERNAME');
    const name = val(env, 'CIRCLE_PROJECT_REPONAME');
    const sha = val(env, 'CIRCLE_SHA1');
    const tag = val(env, 'CIRCLE_TAG');
    const jobUrl = val(env, 'CIRCLE_BUILD_URL');
    // A workflow is what a run of jobs is in CircleCI: its id names the run, and a rerun of the
    // workflow is a new one, as a GitHub run attempt is. The web app opens it by id alone.
    const workflowId = val(env, 'CIRCLE_WORKFLOW_ID');
    const workflowUrl =
      workflowId && onCloud(jobUrl)
        ? `https://app.circleci.com/pipelines/workflows/${encodeURIComponent(workflowId)}`
        : undefined;
    return {
      provider: 'circleci',
      project: {
        name: name ?? repo?.path.split('/')[1],
        path: owner && name ? `${owner}/${name}` : repo?.path,
        url: repo?.url,
      },
      // Tag builds have CIRCLE_TAG and no CIRCLE_BRANCH. CircleCI gives no default branch.
      ref: { name: tag ?? val(env, 'CIRCLE_BRANCH'), isTag: tag !== undefined },
      // CircleCI has no deploy environment among its variables.
      environment: {},
      user: val(env, 'CIRCLE_USERNAME'),
      // No commit message or author among the variables either.
      commit: {
        sha,
        shortSha: sha?.slice(0, 8),
        url: repo && sha ? `${repo.url}/${FORGES[repo.host].commit}/${sha}` : undefined,
      },
      // What triggered the pipeline is a pipeline value (pipeline.trigger_source), not a variable.
      pipeline: { id: workflowId, url: workflowUrl },
      job: {
        id: val(env, 'CIRCLE_WORKFLOW_JOB_ID') ?? val(env, 'CIRCLE_BUILD_NUM'),
        name: val(env, 'CIRCLE_JOB'),
        url: jobUrl,
      },
      // CircleCI exposes no job status: steps with `when: on_fail` / `on_success` pass --status.
      change: pullRequest(env, repo),
    };
  },
};
