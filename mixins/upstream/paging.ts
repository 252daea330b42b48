/**
 * Following `next` links to the end of a list, for both providers' paging objects.
 */
import { ShapeError } from "./json";

export interface Page<T> {
	items: T[];
	next?: string;
	/** Items in the whole list, when the provider says. */
	total?: number;
	/** Where this page starts and how many it was asked for, to spot a page cut short. */
	offset: number;
	limit: number;
}

/** Guards against a provider (or a bug) sending us round in circles. */
const MAX_PAGES = 1000;

/**
 * A page with fewer items than it should hold, while `total` or `next` says there are more, was
 * cut in transit. Accepting it would silently lose items, so it fails and is fetched again.
 */
export function checkComplete<T>(page: Page<T>): void {
	const remaining = page.total !== undefined ? Math.max(0, page.total - page.offset) : page.next ? page.limit : 0;
	const expected = Math.min(page.limit, remaining);
	if (page.items.length < expected) throw new ShapeError(`truncated page: ${page.items.length} of ${expected} items at offset ${page.offset}`);
}

export async function allPages<T>(first: string, fetchPage: (url: string) => Promise<Page<T>>): Promise<T[]> {
	const out: T[] = [];
	const seen = new Set<string>();
	let url: string | undefined = first;
	while (url !== undefined) {
		if (seen.has(url) || seen.size >= MAX_PAGES) throw new ShapeError(`paging loop at ${url}`);
		seen.add(url);
		const page: Page<T> = await fetchPage(url);
		out.push(...page.items);
		url = page.next;
	}
	return out;
}

/**
 * `next` links name the provider's public host. When the client talks to a proxy or a simulator,
 * the link is moved onto the configured base so paging never leaves it. A link to anywhere else
 * is refused: following it would send our bearer token to a host we never chose.
 */
export function rebase(next: string, publicBase: string, configuredBase: string): string {
	if (next.startsWith(`${configuredBase}/`)) return next;
	if (next.startsWith(`${publicBase}/`)) return configuredBase + next.slice(publicBase.length);
	throw new ShapeError(`next link outside ${configuredBase}: ${next.slice(0, 120)}`);
}

export function intParam(url: string, name: string): number | undefined {
	try {
		const raw = new URL(url).searchParams.get(name);
		const value = raw === null ? NaN : Number(raw);
		return Number.isInteger(value) ? value : undefined;
	} catch {
		return undefined;
	}
}
