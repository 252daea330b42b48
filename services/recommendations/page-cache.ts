/**
 * Anonymous songs-by-BPM pages, kept already encoded as JSON. Every anonymous runner asking for
 * 170 BPM gets the same page; encoding 50 tracks (about 20 KB) on every request costs more than
 * finding them, so the bytes are kept until the catalog changes or the TTL runs out.
 */
export class EncodedPageCache {
	private readonly pages = new Map<string, { body: Buffer; expires: number }>();

	constructor(
		private readonly ttlMs: number,
		private readonly maxPages = 1000
	) {}

	get enabled(): boolean {
		return this.ttlMs > 0;
	}

	/** The encoded page for `key`, computing and keeping it on a miss. */
	async get(key: string, compute: () => Promise<unknown>): Promise<Buffer> {
		const now = Date.now();
		const hit = this.pages.get(key);
		if (hit && hit.expires > now) return hit.body;
		const body = Buffer.from(JSON.stringify(await compute()));
		// A Map iterates in insertion order: dropping the first key drops the oldest page.
		if (this.pages.size >= this.maxPages) this.pages.delete(this.pages.keys().next().value as string);
		this.pages.set(key, { body, expires: now + this.ttlMs });
		return body;
	}

	clear(): void {
		this.pages.clear();
	}
}

/** A stable key for a query: the same parameters in any order give the same key. */
export function pageKey(params: object): string {
	return JSON.stringify(Object.entries(params).sort(([a], [b]) => a.localeCompare(b)));
}
