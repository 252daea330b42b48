/**
 * Seed 004 (Tracklist Service) used the scraper's paths, so its field names cannot come from a
 * route of their own: the gateway adds them beside the native ones in the scraper's answers
 * (`results` with `dj_name`, `tracklist.tracks[].timestamp.formatted_time`, `cue_content`). Only
 * names are added; values are the native ones. Other routes' answers pass through untouched.
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);

function searchFields(data: Json): Json {
	const items = Array.isArray(data.items) ? data.items.filter(isObject) : [];
	const results = items.map(i => ({
		...i,
		dj_name: Array.isArray(i.djs) && typeof i.djs[0] === "string" ? i.djs[0] : null,
		event_name: typeof data.event === "string" ? data.event : null
	}));
	return { ...data, results };
}

function seedTrack(t: Json): Json {
	const ms = typeof t.cue_ms === "number" ? t.cue_ms : null;
	return { ...t, timestamp: ms === null ? null : { track_number: t.number, timestamp_ms: ms, formatted_time: t.cue } };
}

function tracklistFields(data: Json): Json {
	const tracks = Array.isArray(data.tracks) ? data.tracks.filter(isObject).map(seedTrack) : [];
	const name = (v: unknown) => (isObject(v) && typeof v.name === "string" ? v.name : null);
	const djs = Array.isArray(data.djs) ? data.djs : [];
	return {
		...data,
		tracklist: {
			id: data.id,
			url: data.url,
			dj_name: name(djs[0]),
			event_name: name(data.event),
			venue: name(data.venue),
			date: data.date,
			tracks,
			...(data.transitions !== undefined ? { transitions: data.transitions } : {}),
			scraped_at: data.scraped_at,
			source_html_hash: data.source_hash
		}
	};
}

function cueFields(data: Json): Json {
	if (typeof data.text !== "string") return data;
	const name = typeof data.audio_file_name === "string" ? data.audio_file_name.replace(/\.[^.]*$/, "") : "set";
	return { ...data, cue_content: data.text, file_size: data.size, filename: `${name}.cue` };
}

const BY_ACTION: Record<string, (data: Json) => Json> = {
	"scraper.search": searchFields,
	"scraper.searchDj": searchFields,
	"scraper.searchEvent": searchFields,
	"scraper.scrape": tracklistFields,
	"scraper.get": tracklistFields,
	"scraper.cueGenerate": cueFields,
	"scraper.cueGet": cueFields
};

/** The answer of `action` with seed 004's names added, when it is one of the scraper's. */
export function withSeed004Fields(action: string | undefined, data: unknown): unknown {
	const add = action === undefined ? undefined : BY_ACTION[action];
	return add && isObject(data) ? add(data) : data;
}
