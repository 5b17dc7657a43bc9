// The core-js part: WHATWG's URL and URLSearchParams, for what url.ts's fast path leaves.
import URL from 'core-js-pure/actual/url/index.js';
import URLSearchParams from 'core-js-pure/actual/url-search-params/index.js';

(globalThis as Record<string, unknown>).__notify_part_core_js = { URL, URLSearchParams };
