/**
 * The first SSRF gate: which URLs the scraper fetches at all, checked before any connection and
 * again for every redirect target. The second gate (addresses the name resolves to) is in http.ts.
 */
import { isIpLiteral } from "./addresses";
import { UrlRefusedError } from "./errors";

export interface UrlPolicy {
	/** Lower-case `host` (default port only) or `host:port` entries. */
	allowedHosts: readonly string[];
	/** Test configurations only: IP literals and private addresses pass. */
	allowPrivate: boolean;
}

const DEFAULT_PORT: Record<string, string> = { "http:": "80", "https:": "443" };

/** Parses a URL and drops what does not name the page: the fragment, a default port, host case. */
export function canonicalUrl(raw: string): URL {
	let url: URL;
	try {
		url = new URL(raw.trim());
	} catch {
		throw new UrlRefusedError(raw.slice(0, 200), "not a valid absolute URL");
	}
	url.hash = "";
	return url;
}

/** `host` or `host:port` of a URL as the allowlist and the per-host limiter see it. */
export function hostKey(url: URL): string {
	return url.port && url.port !== DEFAULT_PORT[url.protocol] ? `${url.hostname}:${url.port}` : url.hostname;
}

/** An allowlist entry as host plus port; a bare host stands for the scheme's default port. */
function parseEntry(entry: string): { host: string; port?: string } | undefined {
	try {
		const host = new URL(`http://${entry}`).hostname.toLowerCase();
		const port = /\]?:(\d+)$/.exec(entry)?.[1];
		return { host, port: port === undefined ? undefined : String(Number(port)) };
	} catch {
		return undefined;
	}
}

export function isHostAllowed(url: URL, allowedHosts: readonly string[]): boolean {
	const port = url.port || DEFAULT_PORT[url.protocol];
	const host = url.hostname.toLowerCase().replace(/\.$/, "");
	return allowedHosts.some(entry => {
		const e = parseEntry(entry);
		return e !== undefined && e.host === host && (e.port ?? DEFAULT_PORT[url.protocol]) === port;
	});
}

/** Throws UrlRefusedError unless the scraper may fetch `url`. */
export function assertFetchable(url: URL, policy: UrlPolicy): void {
	const shown = url.href.slice(0, 300);
	if (url.protocol !== "http:" && url.protocol !== "https:") throw new UrlRefusedError(shown, `scheme ${url.protocol} is not http(s)`);
	if (url.username || url.password) throw new UrlRefusedError(shown, "URLs with credentials are not fetched");
	if (!isHostAllowed(url, policy.allowedHosts)) throw new UrlRefusedError(shown, `host ${hostKey(url)} is not in SCRAPER_ALLOWED_HOSTS`);
	if (!policy.allowPrivate && isIpLiteral(url.hostname)) throw new UrlRefusedError(shown, "IP literals are not fetched");
}

/** Canonical form and check in one step, for URLs that come from clients. */
export function fetchableUrl(raw: string, policy: UrlPolicy): URL {
	const url = canonicalUrl(raw);
	assertFetchable(url, policy);
	return url;
}
