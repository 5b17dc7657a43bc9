// https://docs.gitlab.com/ci/variables/predefined_variables/
import {
  emailOf,
  firstLine,
  flag,
  profileUrl,
  val,
  type CiContext,
  type Env,
  type Provider,
} from '../context.ts';

/** `Jane Doe <jane@example.com>` -> `Jane Doe`: the address is noise in a chat message. */
function authorName(author: string | undefined): string | undefined {
  const name = author?.replace(/\s*<[^>]*>\s*$/, '').trim();
  return name ? name : undefined;
}

function mergeRequest(env: Env): CiContext['change'] {
  const iid = val(env, 'CI_MERGE_REQUEST_IID');
  if (!iid) return undefined;
  const projectUrl = val(env, 'CI_MERGE_REQUEST_PROJECT_URL') ?? val(env, 'CI_PROJECT_URL');
  return {
    kind: 'merge_request',
    number: iid,
    title: val(env, 'CI_MERGE_REQUEST_TITLE'),
    url: projectUrl ? `${projectUrl}/-/merge_requests/${iid}` : undefined,
  };
}

export const gitlab: Provider = {
  name: 'gitlab',
  // Present, not 'true': gitlab-ci-local, which runs pipelines locally, sets GITLAB_CI=false.
  detect: (env) => val(env, 'GITLAB_CI') !== undefined,
  context(env) {
    const projectUrl = val(env, 'CI_PROJECT_URL');
    const sha = val(env, 'CI_COMMIT_SHA');
    const tag = val(env, 'CI_COMMIT_TAG');
    return {
      provider: 'gitlab',
      project: {
        name: val(env, 'CI_PROJECT_NAME'),
        path: val(env, 'CI_PROJECT_PATH'),
        url: projectUrl,
      },
      ref: {
        name: tag ?? val(env, 'CI_COMMIT_REF_NAME') ?? val(env, 'CI_COMMIT_BRANCH'),
        slug: val(env, 'CI_COMMIT_REF_SLUG'),
        isTag: tag !== undefined,
        defaultBranch: val(env, 'CI_DEFAULT_BRANCH'),
        protected: flag(env, 'CI_COMMIT_REF_PROTECTED'),
      },
      environment: {
        name: val(env, 'CI_ENVIRONMENT_NAME'),
        url: val(env, 'CI_ENVIRONMENT_URL'),
      },
      user: val(env, 'GITLAB_USER_LOGIN') ?? val(env, 'GITLAB_USER_NAME'),
      userUrl: profileUrl(val(env, 'CI_SERVER_URL'), val(env, 'GITLAB_USER_LOGIN')),
      userEmail: emailOf(val(env, 'GITLAB_USER_EMAIL')),
      commit: {
        sha,
        shortSha: val(env, 'CI_COMMIT_SHORT_SHA') ?? sha?.slice(0, 8),
        title: firstLine(val(env, 'CI_COMMIT_TITLE') ?? val(env, 'CI_COMMIT_MESSAGE')),
        author: authorName(val(env, 'CI_COMMIT_AUTHOR')),
        url: projectUrl && sha ? `${projectUrl}/-/commit/${sha}` : undefined,
      },
      pipeline: {
        id: val(env, 'CI_PIPELINE_ID'),
        url: val(env, 'CI_PIPELINE_URL'),
        source: val(env, 'CI_PIPELINE_SOURCE'),
        startedAt: val(env, 'CI_PIPELINE_CREATED_AT'),
      },
      job: {
        id: val(env, 'CI_JOB_ID'),
        name: val(env, 'CI_JOB_NAME'),
        stage: val(env, 'CI_JOB_STAGE'),
        url: val(env, 'CI_JOB_URL'),
        startedAt: val(env, 'CI_JOB_STARTED_AT'),
      },
      status: val(env, 'CI_JOB_STATUS'),
      change: mergeRequest(env),
      namespace: val(env, 'KUBE_NAMESPACE'),
      deployFreeze: flag(env, 'CI_DEPLOY_FREEZE') || undefined,
    };
  },
};
