// https://buildkite.com/docs/pipelines/configure/environment-variables
import { firstLine, flag, val, type CiContext, type Env, type Provider } from '../context.ts';
import { COMMIT_SHA } from './forges.ts';

/**
 * `https://github.com/owner/repo` for a BUILDKITE_REPO on github.com, in any of the shapes git
 * accepts (`git@github.com:o/r.git`, `https://github.com/o/r.git`, `git://…`, `ssh://git@…`).
 * Other hosts (GitHub Enterprise, GitLab, Bitbucket, mirrors) give nothing: their link shapes
 * cannot be told from the URL.
 */
function githubRepoUrl(repo: string | undefined): string | undefined {
  const match =
    /^(?:git@github\.com:|(?:https?|git|ssh|git\+ssh):\/\/(?:[^@/\s]+@)?github\.com(?::\d+)?\/)([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/i.exec(
      repo ?? '',
    );
  const [, owner, name] = match ?? [];
  if (!owner || !name || name === '.' || name === '..') return undefined;
  return `https://github.com/${owner}/${name}`;
}

/**
 * BUILDKITE_COMMIT is usually a full SHA but may be a symbolic name such as `HEAD` (a build
 * created by hand or through the API): that names no commit, so it is left out.
 */
function commitSha(env: Env): string | undefined {
  const commit = val(env, 'BUILDKITE_COMMIT');
  return commit && COMMIT_SHA.test(commit) ? commit : undefined;
}

/** BUILDKITE_PULL_REQUEST is the pull request's number, or `false` when the build has none. */
function pullRequest(env: Env, repoUrl: string | undefined): CiContext['change'] {
  const number = val(env, 'BUILDKITE_PULL_REQUEST');
  if (!number || number.toLowerCase() === 'false') return undefined;
  // The number belongs to the pipeline's repository (BUILDKITE_REPO); BUILDKITE_PULL_REQUEST_REPO
  // is where the head branch lives, a fork's for pull requests from forks.
  const url = repoUrl && /^\d+$/.test(number) ? `${repoUrl}/pull/${number}` : undefined;
  return { kind: 'pull_request', number, url };
}

/**
 * Only post-command and later hooks know the outcome: the agent sets BUILDKITE_COMMAND_EXIT_STATUS
 * after the command phase, and BUILDKITE_JOB_CANCELLED=true when the job is canceled (a timeout
 * is a cancellation too). In the command itself neither is set, and the status stays unknown.
 */
function jobStatus(env: Env): string | undefined {
  if (flag(env, 'BUILDKITE_JOB_CANCELLED')) return 'canceled';
  const code = val(env, 'BUILDKITE_COMMAND_EXIT_STATUS');
  if (code === undefined || !/^-?\d+$/.test(code)) return code;
  return Number(code) === 0 ? 'success' : 'failed';
}

export const buildkite: Provider = {
  name: 'buildkite',
  detect: (env) => val(env, 'BUILDKITE') !== undefined,
  context(env) {
    const org = val(env, 'BUILDKITE_ORGANIZATION_SLUG');
    const slug = val(env, 'BUILDKITE_PIPELINE_SLUG');
    const repoUrl = githubRepoUrl(val(env, 'BUILDKITE_REPO'));
    const sha = commitSha(env);
    // On a GitHub tag push BUILDKITE_BRANCH is the tag's name too.
    const tag = val(env, 'BUILDKITE_TAG');
    const buildUrl = val(env, 'BUILDKITE_BUILD_URL');
    const jobId = val(env, 'BUILDKITE_JOB_ID');
    return {
      provider: 'buildkite',
      project: {
        name: val(env, 'BUILDKITE_PIPELINE_NAME') ?? slug,
        path: org && slug ? `${org}/${slug}` : undefined,
        url: org && slug ? `https://buildkite.com/${org}/${slug}` : undefined,
      },
      ref: {
        name: tag ?? val(env, 'BUILDKITE_BRANCH'),
        isTag: tag !== undefined,
        defaultBranch: val(env, 'BUILDKITE_PIPELINE_DEFAULT_BRANCH'),
      },
      // Set only on builds that a GitHub deployment created.
      environment: { name: val(env, 'BUILDKITE_GITHUB_DEPLOYMENT_ENVIRONMENT') },
      user: val(env, 'BUILDKITE_BUILD_CREATOR'),
      commit: {
        sha,
        shortSha: sha?.slice(0, 8),
        // Usually the commit message; on builds made by hand, what their creator typed.
        title: firstLine(val(env, 'BUILDKITE_MESSAGE')),
        author: val(env, 'BUILDKITE_BUILD_AUTHOR'),
        url: repoUrl && sha ? `${repoUrl}/commit/${sha}` : undefined,
      },
      pipeline: {
        // The build number is what Buildkite shows (`#1514`); BUILDKITE_BUILD_ID is a UUID.
        id: val(env, 'BUILDKITE_BUILD_NUMBER'),
        url: buildUrl,
        // webhook, ui, api, trigger_job or schedule.
        source: val(env, 'BUILDKITE_SOURCE'),
      },
      job: {
        id: jobId,
        name: val(env, 'BUILDKITE_LABEL') ?? val(env, 'BUILDKITE_STEP_KEY'),
        // A group step is the nearest thing Buildkite has to a stage.
        stage: val(env, 'BUILDKITE_GROUP_LABEL'),
        url: buildUrl && jobId ? `${buildUrl}#${jobId}` : buildUrl,
      },
      status: jobStatus(env),
      change: pullRequest(env, repoUrl),
    };
  },
};
