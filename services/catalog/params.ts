/** fastest-validator schemas for what crawlers send to catalog. */
const provider = { type: "enum", values: ["spotify", "deezer"] } as const;
const id = { type: "string", min: 1, max: 100 } as const;
const name = { type: "string", min: 1, max: 500 } as const;
const artistRefs = { type: "array", max: 50, items: { type: "object", props: { id: { ...id, optional: true }, name } } } as const;

export const artistInput = {
	type: "object",
	strict: "remove",
	props: { provider, id, name, genres: { type: "array", items: "string", optional: true, max: 50 }, depth: { type: "number", optional: true } }
} as const;

export const albumInput = {
	type: "object",
	strict: "remove",
	props: {
		provider,
		id,
		name,
		artists: artistRefs,
		albumType: { type: "string", optional: true, max: 30 },
		releaseDate: { type: "string", optional: true, max: 30 },
		totalTracks: { type: "number", optional: true },
		genres: { type: "array", items: "string", optional: true, max: 50 },
		imageUrl: { type: "string", optional: true, max: 2000 }
	}
} as const;

export const trackInput = {
	type: "object",
	strict: "remove",
	props: {
		provider,
		id,
		name,
		isrc: { type: "string", optional: true, pattern: /^[A-Za-z]{2}[A-Za-z0-9]{3}\d{7}$/ },
		artists: artistRefs,
		albumId: { ...id, optional: true },
		durationMs: { type: "number", optional: true },
		previewUrl: { type: "string", optional: true, max: 2000 },
		popularity: { type: "number", optional: true },
		tempo: { type: "number", optional: true, min: 0, max: 400 },
		genre: { type: "string", optional: true, max: 100 }
	}
} as const;

const optNumber = { type: "number", optional: true } as const;

export const featuresInput = {
	type: "object",
	strict: "remove",
	props: {
		id,
		unavailable: { type: "string", optional: true, max: 500 },
		tempo: { type: "number", optional: true, min: 1, max: 400 },
		tempoAlt: { type: "number", optional: true, min: 1, max: 400 },
		tempoSource: { type: "enum", values: ["spotify", "deezer", "analysis"], optional: true },
		tempoConfidence: { type: "number", optional: true, min: 0, max: 1 },
		tempoAlgorithm: { type: "string", optional: true, max: 100 },
		energy: optNumber,
		valence: optNumber,
		danceability: optNumber,
		loudness: optNumber,
		key: optNumber,
		mode: optNumber,
		timeSignature: optNumber
	}
} as const;
