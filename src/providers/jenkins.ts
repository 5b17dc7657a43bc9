// https://www.jenkins.io/doc/book/pipeline/jenkinsfile/#using-environment-variables
// Also: core's list at <JENKINS_URL>/env-vars.html; multibranch variables (BRANCH_NAME, CHANGE_*,
// TAG_NAME) from the Branch API plugin; GIT_* from the Git plugin
// (https://plugins.jenkins.io/git/#plugin-content-environment-variables); STAGE_NAME from the
// Pipeline Stage Step plugin. Jenkins puts no build result in the environment: users pass
// --status "${currentBuild.currentResult}".
import { flag, val, type CiContext, type Env, type Provider } from '../context.ts';
import { FORGE_PAGES } from './forges.ts';

/**
 * How the Branch API names a branch's job (NameEncoder.encode): the characters a URL path
 * segment cannot hold are escaped, so `feature/login` is the job `feature%2Flogin`.
 */
function branchJobName(branch: string): string {
  if (branch === '') return '%00';
  if (branch === '.') return '%2E';
  if (branch === '..') return '%2E.';
  const escapes: Readonly<Record<string, string>> = {
    '#': '%23',
    '%': '%25',
    '/': '%2F',
    '?': '%3F',
    '[': '%5B',
    ']': '%5D',
    '\\': '%5C',
  };
  return branch.replace(/[#%/?[\]\\]/g, (c) => escapes[c] ?? c);
}

/**
 * The project's name. JOB_NAME is the job's full name, folders included (`team/deploy-chat`).
 * In a multibranch project each branch, pull request or tag is a job of its own inside the
 * project (`team/chat-server/main`): there the project is the part before the branch's job.
 */
function projectName(env: Env, jobName: string | undefined): string | undefined {
  const parts = jobName?.split('/') ?? [];
  const branch = val(env, 'BRANCH_NAME');
  // BRANCH_NAME alone could be a user's own variable: the branch's job must also end JOB_NAME.
  if (branch && parts.length >= 2 && parts[parts.length - 1] === branchJobName(branch)) {
    return parts[parts.length - 2] || undefined;
  }
  return val(env, 'JOB_BASE_NAME') ?? (parts[parts.length - 1] || undefined);
}

type Forge = 'github' | 'gitlab' | 'bitbucket';

const FORGES: Readonly<Record<string, Forge>> = {
  'github.com': 'github',
  'gitlab.com': 'gitlab',
  'bitbucket.org': 'bitbucket',
};

/**
 * The web page of the repository GIT_URL names, for the public forges whose page and commit
 * links have a known shape; nothing for any other host (a self-hosted forge could be anything).
 * Credentials written into the URL are dropped.
 */
function forgeRepo(gitUrl: string | undefined): { forge: Forge; url: string } | undefined {
  if (!gitUrl) return undefined;
  const [, urlHost, urlPath] =
    /^(?:https?|ssh|git|git\+ssh):\/\/(?:[^@/]*@)?([^/:@]+)(?::\d+)?\/(.+)$/i.exec(gitUrl) ?? [];
  // scp-like syntax: `git@github.com:team/chat-server.git`.
  const [, scpHost, scpPath] = urlHost
    ? []
    : (/^(?:[^@/:]+@)?([^/:@]+):(?!\/)(.+)$/.exec(gitUrl) ?? []);
  const host = (urlHost ?? scpHost)?.toLowerCase();
  // Own keys only: a host called `constructor` must not find Object.prototype's members.
  const forge = host && Object.hasOwn(FORGES, host) ? FORGES[host] : undefined;
  const path = (urlPath ?? scpPath)?.replace(/\/+$/, '').replace(/\.git$/i, '');
  if (!host || !forge || !path) return undefined;
  const segments = path.split('/');
  const valid = segments.every((s) => /^[A-Za-z0-9._-]+$/.test(s) && s !== '.' && s !== '..');
  // GitHub and Bitbucket repositories are owner/name; GitLab nests groups.
  const depth = forge === 'gitlab' ? segments.length >= 2 : segments.length === 2;
  return valid && depth ? { forge, url: `https://${host}/${path}` } : undefined;
}

/** A change request of the multibranch project: a pull request, or a GitLab merge request. */
function changeRequest(env: Env): CiContext['change'] {
  const id = val(env, 'CHANGE_ID');
  if (!id) return undefined;
  const url = val(env, 'CHANGE_URL');
  return {
    kind: url && /\/merge_requests\/[^/]+\/?$/.test(url) ? 'merge_request' : 'pull_request',
    number: id,
    title: val(env, 'CHANGE_TITLE'),
    url,
  };
}

export const jenkins: Provider = {
  name: 'jenkins',
  // JENKINS_URL alone is also what the Jenkins CLI reads in a user's shell; BUILD_ID is a build's.
  detect: (env) => val(env, 'JENKINS_URL') !== undefined && val(env, 'BUILD_ID') !== undefined,
  context(env) {
    const jobName = val(env, 'JOB_NAME');
    const repo = forgeRepo(val(env, 'GIT_URL'));
    const sha = val(env, 'GIT_COMMIT');
    const tag = val(env, 'TAG_NAME');
    const change = changeRequest(env);
    const branch = val(env, 'BRANCH_NAME');
    const buildUrl = val(env, 'BUILD_URL');
    return {
      provider: 'jenkins',
      project: {
        name: projectName(env, jobName),
        // The full job name, branch job included: build numbers count per job, so this (with
        // the build number) is what tells one build from another.
        path: jobName,
        url: repo?.url,
      },
      ref: {
        // A change request's BRANCH_NAME is Jenkins's own (`PR-24`); CHANGE_BRANCH is its branch.
        name:
          tag ??
          val(env, 'CHANGE_BRANCH') ??
          branch ??
          val(env, 'GIT_LOCAL_BRANCH') ??
          val(env, 'GIT_BRANCH')?.replace(/^origin\//, ''),
        isTag: tag !== undefined,
        // The SCM source marks the repository's primary branch.
        defaultBranch:
          branch && !tag && !change && flag(env, 'BRANCH_IS_PRIMARY') ? branch : undefined,
      },
      environment: {},
      commit: {
        sha,
        shortSha: sha?.slice(0, 8),
        // A change request's build may check out a merge commit made on the agent, which the
        // forge has never seen: only branch and tag builds get a link.
        url:
          repo && sha && !change
            ? `${repo.url}/${FORGE_PAGES[repo.forge].commit}/${sha}`
            : undefined,
      },
      pipeline: {
        id: val(env, 'BUILD_NUMBER') ?? val(env, 'BUILD_ID'),
        url: buildUrl,
        source: change ? 'pull_request' : tag ? 'tag' : undefined,
      },
      // The stage this step runs in; a build outside any stage (a freestyle job) is the pipeline.
      job: { name: val(env, 'STAGE_NAME'), url: buildUrl },
      change,
    };
  },
};
