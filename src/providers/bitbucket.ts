// https://support.atlassian.com/bitbucket-cloud/docs/variables-and-secrets/
import { val, type CiContext, type Env, type Provider } from '../context.ts';

/** Bitbucket Pipelines runs for Bitbucket Cloud only: every repository lives here. */
const SERVER = 'https://bitbucket.org';

/**
 * The repository's address: bitbucket.org followed by its full name (which the docs define as
 * "everything that comes after bitbucket.org/"). Without one, BITBUCKET_GIT_HTTP_ORIGIN, which
 * Bitbucket sets as `http://bitbucket.org/<workspace>/<repo>`: the same page over https.
 */
function repoUrl(path: string | undefined, origin: string | undefined): string | undefined {
  if (path) return `${SERVER}/${path}`;
  return origin?.replace(/^http:\/\/bitbucket\.org\//i, `${SERVER}/`).replace(/\/+$/, '');
}

/**
 * BITBUCKET_EXIT_CODE, set for `after-script:`: 0 is success, any other exit code a failure.
 * Anything that is not a number is passed through for notify to report as unknown.
 */
function exitStatus(code: string | undefined): string | undefined {
  if (code === undefined || !/^[+-]?\d+$/.test(code)) return code;
  return Number(code) === 0 ? 'success' : 'failed';
}

function pullRequest(env: Env, projectUrl: string | undefined): CiContext['change'] {
  const id = val(env, 'BITBUCKET_PR_ID');
  if (!id) return undefined;
  return {
    kind: 'pull_request',
    number: id,
    url: projectUrl && `${projectUrl}/pull-requests/${id}`,
  };
}

/**
 * What started the run, where the variables say it: BITBUCKET_PR_ID and BITBUCKET_TAG are set
 * only on pull request and tag builds. A branch build may be a push, a schedule or a manual run
 * (custom pipeline): Bitbucket does not say which, so it is left unknown.
 */
function source(env: Env): string | undefined {
  if (val(env, 'BITBUCKET_PR_ID')) return 'pull_request';
  if (val(env, 'BITBUCKET_TAG')) return 'tag';
  return undefined;
}

export const bitbucket: Provider = {
  name: 'bitbucket',
  // BITBUCKET_BUILD_NUMBER is set on every build. Local runners of bitbucket-pipelines.yml
  // (ktomk/pipelines) set it to 0, which is still a Bitbucket pipeline.
  detect: (env) => val(env, 'BITBUCKET_BUILD_NUMBER') !== undefined,
  context(env) {
    const workspace = val(env, 'BITBUCKET_WORKSPACE');
    const slug = val(env, 'BITBUCKET_REPO_SLUG');
    const path =
      val(env, 'BITBUCKET_REPO_FULL_NAME') ??
      (workspace && slug ? `${workspace}/${slug}` : undefined);
    const projectUrl = repoUrl(path, val(env, 'BITBUCKET_GIT_HTTP_ORIGIN'));
    const build = val(env, 'BITBUCKET_BUILD_NUMBER');
    const pipelineUrl =
      projectUrl && build ? `${projectUrl}/pipelines/results/${build}` : undefined;
    const step = val(env, 'BITBUCKET_STEP_UUID');
    // Step UUIDs come in braces; Bitbucket's own links encode them (`/steps/%7B...%7D`).
    // toWellFormed: encodeURIComponent throws on a lone surrogate, and input is never trusted.
    const stepUrl =
      pipelineUrl && step
        ? `${pipelineUrl}/steps/${encodeURIComponent(step.toWellFormed())}`
        : undefined;
    const sha = val(env, 'BITBUCKET_COMMIT');
    const tag = val(env, 'BITBUCKET_TAG');
    return {
      provider: 'bitbucket',
      project: { name: slug ?? path?.split('/').pop(), path, url: projectUrl },
      ref: {
        // On pull request builds BITBUCKET_BRANCH is the source branch.
        name: tag ?? val(env, 'BITBUCKET_BRANCH'),
        isTag: tag !== undefined,
      },
      environment: { name: val(env, 'BITBUCKET_DEPLOYMENT_ENVIRONMENT') },
      // Bitbucket names who started the step only by account UUID (BITBUCKET_STEP_TRIGGERER_UUID),
      // which means nothing in a chat message: the user is left to --user.
      commit: {
        sha,
        shortSha: sha?.slice(0, 8),
        url: projectUrl && sha ? `${projectUrl}/commits/${sha}` : undefined,
      },
      pipeline: { id: build, url: pipelineUrl, source: source(env) },
      // Bitbucket exposes no step name or start time; without a step UUID, link the pipeline.
      job: { id: step, url: stepUrl ?? pipelineUrl },
      status: exitStatus(val(env, 'BITBUCKET_EXIT_CODE')),
      change: pullRequest(env, projectUrl),
    };
  },
};
