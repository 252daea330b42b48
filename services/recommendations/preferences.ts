/** A user's stated taste, as `users.get({id})` returns it under `preferences`. */
export interface Preferences {
	genres: string[];
	artists: string[];
	moods: string[];
	/** Running cadence in steps per minute. */
	cadence?: number;
}

function strings(value: unknown): string[] {
	return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v.trim() !== "") : [];
}

/** Reads the user document defensively: absent or malformed preferences mean "no preference". */
export function parsePreferences(user: unknown): Preferences {
	const u = typeof user === "object" && user !== null ? (user as Record<string, unknown>) : {};
	const p = typeof u.preferences === "object" && u.preferences !== null ? (u.preferences as Record<string, unknown>) : {};
	const cadence = typeof p.cadence === "number" && Number.isFinite(p.cadence) && p.cadence > 0 ? p.cadence : undefined;
	return { genres: strings(p.genres), artists: strings(p.artists), moods: strings(p.moods), cadence };
}

/** Where a mood puts energy and valence (0..1). Moods not listed here are ignored. */
const MOOD_TARGETS: Record<string, { energy?: number; valence?: number }> = {
	energetic: { energy: 0.85 },
	energy: { energy: 0.85 },
	intense: { energy: 0.9, valence: 0.35 },
	aggressive: { energy: 0.9, valence: 0.3 },
	powerful: { energy: 0.85 },
	happy: { energy: 0.65, valence: 0.85 },
	upbeat: { energy: 0.75, valence: 0.75 },
	uplifting: { energy: 0.7, valence: 0.8 },
	euphoric: { energy: 0.85, valence: 0.8 },
	party: { energy: 0.85, valence: 0.75 },
	motivated: { energy: 0.8, valence: 0.65 },
	focused: { energy: 0.55 },
	calm: { energy: 0.3, valence: 0.55 },
	chill: { energy: 0.35, valence: 0.55 },
	relaxed: { energy: 0.3, valence: 0.6 },
	mellow: { energy: 0.35 },
	sad: { energy: 0.35, valence: 0.2 },
	melancholic: { energy: 0.4, valence: 0.25 },
	dark: { energy: 0.6, valence: 0.2 }
};

/** The energy and valence a set of moods asks for, averaged; undefined where no mood says. */
export function moodTarget(moods: readonly string[]): { energy?: number; valence?: number } {
	const energy: number[] = [];
	const valence: number[] = [];
	for (const mood of moods) {
		const t = MOOD_TARGETS[mood.trim().toLowerCase()];
		if (t?.energy !== undefined) energy.push(t.energy);
		if (t?.valence !== undefined) valence.push(t.valence);
	}
	const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);
	return { energy: mean(energy), valence: mean(valence) };
}

/**
 * The tempo to recommend around. A runner's cadence is one step per beat, so it is the BPM itself
 * (half-time tracks are found by the half/double search). Without one, the median tempo of the
 * tracks the user liked; without those, the configured default.
 */
export function targetBpm(prefs: Preferences, likedTempos: readonly number[], fallback: number): { bpm: number; from: "cadence" | "liked" | "default" } {
	if (prefs.cadence !== undefined && prefs.cadence >= 30 && prefs.cadence <= 300) return { bpm: prefs.cadence, from: "cadence" };
	const tempos = likedTempos.filter(t => t >= 30 && t <= 300).sort((a, b) => a - b);
	if (tempos.length) return { bpm: Math.round(tempos[Math.floor(tempos.length / 2)]), from: "liked" };
	return { bpm: fallback, from: "default" };
}
