// https://learn.microsoft.com/en-us/azure/devops/pipelines/build/variables
import { firstLine, val, type CiContext, type Env, type Provider } from '../context.ts';

/**
 * The repository's web address from Build.Repository.Uri. Azure Repos puts the organisation in
 * the user part (`https://fabrikam@dev.azure.com/fabrikam/...`): it is dropped, as is any other
 * user part, since a link in a chat message has no use for one.
 */
function repositoryUrl(uri: string | undefined): string | undefined {
  const url = trimSlashes(uri?.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1') ?? '');
  return url ? url : undefined;
}

/** Without trailing slashes. A loop, not /\/+$/, which is quadratic on hostile input. */
function trimSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === '/') end--;
  return text.slice(0, end);
}

/** Commit and pull request links for the forges whose repository URL shape is known. */
const FORGES: Readonly<Record<string, { pull: string }>> = {
  // Azure Repos: https://dev.azure.com/org/project/_git/repo/pullrequest/17
  TfsGit: { pull: 'pullrequest' },
  GitHub: { pull: 'pull' },
};

function forge(env: Env): { pull: string } | undefined {
  const provider = val(env, 'BUILD_REPOSITORY_PROVIDER');
  return provider && Object.hasOwn(FORGES, provider) ? FORGES[provider] : undefined;
}

/**
 * What Build.SourceBranch says: refs/heads/<branch>, refs/tags/<tag>, or refs/pull/<n>/merge
 * for a pull request (named `<n>/merge`, as GitHub names it). TFVC paths are not refs.
 */
function parseRef(ref: string | undefined): { name?: string; isTag: boolean; pull?: string } {
  const [, kind, name] = /^refs\/(heads|tags|pull)\/(.+)$/.exec(ref ?? '') ?? [];
  if (kind === 'pull') return { name, isTag: false, pull: /^(\d+)\//.exec(name ?? '')?.[1] };
  return { name, isTag: kind === 'tags' };
}

/** Azure Repos gives the pull request's source branch as a ref, GitHub as a bare name. */
function branchName(ref: string | undefined): string | undefined {
  const name = ref?.replace(/^refs\/heads\//, '');
  return name ? name : undefined;
}

// Build.Reason, in the words GitLab and GitHub use; other reasons (Manual, ResourceTrigger,
// ValidateShelveset, CheckInShelveset...) are passed through as Azure names them.
const SOURCES: Readonly<Record<string, string>> = {
  IndividualCI: 'push',
  BatchedCI: 'push',
  PullRequest: 'pull_request',
  Schedule: 'schedule',
};

// Agent.JobStatus. SucceededWithIssues is a success with warnings (e.g. continueOnError steps).
const STATUSES: Readonly<Record<string, string>> = {
  succeeded: 'success',
  succeededwithissues: 'success',
  failed: 'failed',
  canceled: 'canceled',
};

function status(env: Env): string | undefined {
  // The agent also sets the older, lowercase `agent.jobstatus`, kept for compatibility.
  const raw = val(env, 'AGENT_JOBSTATUS') ?? val(env, 'agent.jobstatus');
  const key = raw?.toLowerCase();
  return key && Object.hasOwn(STATUSES, key) ? STATUSES[key] : raw;
}

/** A job or stage name; `__default` is the one Azure gives when the YAML declares none. */
function named(env: Env, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const name = val(env, key);
    if (name && name !== '__default') return name;
  }
  return undefined;
}

function pullRequest(
  env: Env,
  refPull: string | undefined,
  repoUrl: string | undefined,
  pull: string | undefined,
): CiContext['change'] {
  // On GitHub the id is GitHub's internal one and the number is what people see; Azure Repos
  // has only the id, which is its number.
  const number =
    val(env, 'SYSTEM_PULLREQUEST_PULLREQUESTNUMBER') ??
    val(env, 'SYSTEM_PULLREQUEST_PULLREQUESTID') ??
    refPull;
  if (!number) return undefined;
  return {
    kind: 'pull_request',
    number,
    url: repoUrl && pull ? `${repoUrl}/${pull}/${encodeURIComponent(number)}` : undefined,
  };
}

export const azure: Provider = {
  name: 'azure',
  // The agent sets TF_BUILD=True in every job; CI=true alone says nothing about which CI.
  detect: (env) => val(env, 'TF_BUILD') !== undefined,
  context(env) {
    const repo = val(env, 'BUILD_REPOSITORY_NAME');
    const repoUrl = repositoryUrl(val(env, 'BUILD_REPOSITORY_URI'));
    const shapes = forge(env);
    const sha = val(env, 'BUILD_SOURCEVERSION');
    const ref = parseRef(val(env, 'BUILD_SOURCEBRANCH'));

    const collection =
      val(env, 'SYSTEM_COLLECTIONURI') ?? val(env, 'SYSTEM_TEAMFOUNDATIONCOLLECTIONURI');
    const project = val(env, 'SYSTEM_TEAMPROJECT');
    const buildId = val(env, 'BUILD_BUILDID');
    const runUrl =
      collection && project && buildId
        ? `${trimSlashes(collection)}/${encodeURIComponent(project)}/_build/results?buildId=${encodeURIComponent(buildId)}`
        : undefined;
    const jobId = val(env, 'SYSTEM_JOBID');
    const reason = val(env, 'BUILD_REASON');

    return {
      provider: 'azure',
      project: { name: repo?.split('/').pop(), path: repo, url: repoUrl },
      ref: {
        // A pull request build runs refs/pull/<n>/merge; the branch under review is the name.
        name:
          branchName(val(env, 'SYSTEM_PULLREQUEST_SOURCEBRANCH')) ??
          ref.name ??
          val(env, 'BUILD_SOURCEBRANCHNAME'),
        isTag: ref.isTag,
      },
      environment: { name: val(env, 'ENVIRONMENT_NAME') },
      user: val(env, 'BUILD_REQUESTEDFOR'),
      commit: {
        // On pull request builds this is the merge commit Azure made, and its message.
        sha,
        shortSha: sha?.slice(0, 8),
        title: firstLine(val(env, 'BUILD_SOURCEVERSIONMESSAGE')),
        url: repoUrl && sha && shapes ? `${repoUrl}/commit/${encodeURIComponent(sha)}` : undefined,
      },
      pipeline: {
        id: buildId,
        url: runUrl,
        source: reason && Object.hasOwn(SOURCES, reason) ? SOURCES[reason] : reason,
      },
      job: {
        id: jobId,
        name: named(env, 'SYSTEM_JOBDISPLAYNAME', 'SYSTEM_JOBNAME'),
        stage: named(env, 'SYSTEM_STAGEDISPLAYNAME', 'SYSTEM_STAGENAME'),
        url: runUrl && jobId ? `${runUrl}&view=logs&j=${encodeURIComponent(jobId)}` : runUrl,
      },
      status: status(env),
      change: pullRequest(env, ref.pull, repoUrl, shapes?.pull),
    };
  },
};
