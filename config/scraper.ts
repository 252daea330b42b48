/** The scraper: which hosts it may fetch, how it identifies itself, and its caches. */
export const scraperVars = {};
