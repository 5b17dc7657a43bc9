// https://docs.github.com/en/actions/reference/workflows-and-actions/variables
import {
  firstLine,
  flag,
  profileUrl,
  val,
  type CiContext,
  type Env,
  type Provider,
  type ProviderIo,
} from '../context.ts';

/** The parts of the webhook event payload (GITHUB_EVENT_PATH) that a message can use. */
interface GithubEvent {
  repository?: { default_branch?: unknown };
  head_commit?: { message?: unknown; author?: { name?: unknown } };
  pull_request?: {
    number?: unknown;
    title?: unknown;
    html_url?: unknown;
    head?: { sha?: unknown };
    user?: { login?: unknown };
  };
}

function str(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/**
 * The event payload is optional context: a missing, unreadable or corrupt file yields an empty
 * event, so the message just has fewer details.
 */
function readEvent(env: Env, io: ProviderIo): GithubEvent {
  const path = val(env, 'GITHUB_EVENT_PATH');
  if (!path) return {};
  try {
    const parsed: unknown = JSON.parse(io.readFile(path));
    return parsed !== null && typeof parsed === 'object' ? (parsed as GithubEvent) : {};
  } catch {
    return {};
  }
}

function pullRequest(event: GithubEvent, server: string): CiContext['change'] {
  const pr = event.pull_request;
  const number = str(pr?.number);
  if (!pr || !number) return undefined;
  const author = str(pr.user?.login);
  const authorUrl = profileUrl(server, author);
  return {
    kind: 'pull_request',
    number,
    title: str(pr.title),
    url: str(pr.html_url),
    ...(author ? { author } : {}),
    ...(authorUrl ? { authorUrl } : {}),
  };
}

function pullRequestOfRef(
  number: string | undefined,
  projectUrl: string | undefined,
): CiContext['change'] {
  if (!number) return undefined;
  return { kind: 'pull_request', number, url: projectUrl && `${projectUrl}/pull/${number}` };
}

/**
 * What GITHUB_REF says, for runners that do not set GITHUB_REF_NAME: the short name GitHub
 * would give (a branch may hold slashes; a pull request's is `<number>/merge`), and the pull
 * request number. Other kinds of ref are left unnamed.
 */
function parseRef(ref: string | undefined): { name?: string; isTag: boolean; pull?: string } {
  const [, kind, name] = /^refs\/(heads|tags|pull)\/(.+)$/.exec(ref ?? '') ?? [];
  if (kind === 'pull') return { name, isTag: false, pull: /^(\d+)\//.exec(name ?? '')?.[1] };
  return { name, isTag: kind === 'tags' };
}

export const github: Provider = {
  name: 'github',
  detect: (env) => val(env, 'GITHUB_ACTIONS') === 'true',
  context(env, io) {
    const event = readEvent(env, io);
    const server = val(env, 'GITHUB_SERVER_URL') ?? 'https://github.com';
    const repo = val(env, 'GITHUB_REPOSITORY');
    const projectUrl = repo ? `${server}/${repo}` : undefined;
    const runId = val(env, 'GITHUB_RUN_ID');
    const runUrl = projectUrl && runId ? `${projectUrl}/actions/runs/${runId}` : undefined;
    const ref = parseRef(val(env, 'GITHUB_REF'));
    // Without the event payload the pull request is still known by its number, from the ref.
    const change = pullRequest(event, server) ?? pullRequestOfRef(ref.pull, projectUrl);
    // On pull_request events GITHUB_SHA is a synthetic merge commit; the head is what was pushed.
    const sha = str(event.pull_request?.head?.sha) ?? val(env, 'GITHUB_SHA');
    const refType = val(env, 'GITHUB_REF_TYPE');
    const isTag = refType ? refType === 'tag' : ref.isTag;
    const actor = val(env, 'GITHUB_TRIGGERING_ACTOR') ?? val(env, 'GITHUB_ACTOR');
    return {
      provider: 'github',
      project: { name: repo?.split('/').pop(), path: repo, url: projectUrl },
      ref: {
        // GITHUB_REF_NAME is `42/merge` on pull requests; GITHUB_HEAD_REF is the branch.
        name: val(env, 'GITHUB_HEAD_REF') ?? val(env, 'GITHUB_REF_NAME') ?? ref.name,
        isTag,
        defaultBranch: str(event.repository?.default_branch),
        protected: flag(env, 'GITHUB_REF_PROTECTED'),
      },
      environment: {},
      user: actor,
      userUrl: profileUrl(server, actor),
      commit: {
        sha,
        shortSha: sha?.slice(0, 7),
        title: firstLine(str(event.head_commit?.message)),
        author: str(event.head_commit?.author?.name),
        url: projectUrl && sha ? `${projectUrl}/commit/${sha}` : undefined,
      },
      pipeline: {
        id: runId,
        attempt: val(env, 'GITHUB_RUN_ATTEMPT'),
        url: runUrl,
        source: val(env, 'GITHUB_EVENT_NAME'),
        // Each workflow is a pipeline of its own: a push runs them side by side.
        name: val(env, 'GITHUB_WORKFLOW'),
      },
      // GitHub exposes no job URL in its variables: the run is the closest link.
      job: { name: val(env, 'GITHUB_JOB'), stage: val(env, 'GITHUB_WORKFLOW'), url: runUrl },
      change,
    };
  },
};
