import type { SpotifySimulator } from "../../simulators";

export interface JsonResponse<T> {
	status: number;
	headers: Headers;
	body: T;
}

export interface SpotifyPaging<T> {
	href: string;
	items: T[];
	limit: number;
	next: string | null;
	offset: number;
	previous: string | null;
	total: number;
}

export interface SpotifyErrorBody {
	error: { status: number; message: string; reason?: string };
}

export interface DeezerList<T> {
	data: T[];
	total: number;
	next?: string;
	prev?: string;
}

export interface DeezerErrorBody {
	error: { type: string; message: string; code: number };
}

export interface IdName {
	id: string;
	name: string;
}

export async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
	const res = await fetch(url, { headers });
	return { status: res.status, headers: res.headers, body: (await res.json()) as T };
}

export async function getText(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
	const res = await fetch(url, { headers });
	return { status: res.status, text: await res.text() };
}

export function isJson(text: string): boolean {
	try {
		JSON.parse(text);
		return true;
	} catch {
		return false;
	}
}

export async function requestToken(sim: SpotifySimulator, id = sim.clientId, secret = sim.clientSecret): Promise<JsonResponse<Record<string, unknown>>> {
	const res = await fetch(`${sim.accountsUrl}/api/token`, {
		method: "POST",
		headers: {
			authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`,
			"content-type": "application/x-www-form-urlencoded"
		},
		body: "grant_type=client_credentials"
	});
	return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** Follows `next` links from `first` and returns every item, with the number of pages fetched. */
export async function followSpotifyPages<T>(first: string, headers: Record<string, string>): Promise<{ items: T[]; pages: number }> {
	const items: T[] = [];
	let pages = 0;
	let url: string | null = first;
	while (url) {
		const res: JsonResponse<SpotifyPaging<T>> = await getJson<SpotifyPaging<T>>(url, headers);
		expect(res.status).toBe(200);
		items.push(...res.body.items);
		pages++;
		url = res.body.next;
	}
	return { items, pages };
}

export async function followDeezerPages<T>(first: string): Promise<{ items: T[]; pages: number; total: number }> {
	const items: T[] = [];
	let pages = 0;
	let total = 0;
	let url: string | undefined = first;
	while (url) {
		const res: JsonResponse<DeezerList<T>> = await getJson<DeezerList<T>>(url);
		items.push(...res.body.data);
		total = res.body.total;
		pages++;
		url = res.body.next;
	}
	return { items, pages, total };
}
