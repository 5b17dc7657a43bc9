// How the forges a CI builds from lay out their web pages: where a commit's page and a pull (or
// merge) request's page sit under the repository's URL. Providers build links only for these,
// and only when the CI says unambiguously which forge it is.
export const FORGE_PAGES = {
  github: { commit: 'commit', pull: 'pull', kind: 'pull_request' },
  gitlab: { commit: '-/commit', pull: '-/merge_requests', kind: 'merge_request' },
  bitbucket: { commit: 'commits', pull: 'pull-requests', kind: 'pull_request' },
  gitea: { commit: 'commit', pull: 'pulls', kind: 'pull_request' },
  forgejo: { commit: 'commit', pull: 'pulls', kind: 'pull_request' },
} as const;

export type ForgePages = (typeof FORGE_PAGES)[keyof typeof FORGE_PAGES];

/** A full or abbreviated commit SHA: what a commit link may be built from. */
export const COMMIT_SHA = /^[0-9a-f]{7,64}$/i;
