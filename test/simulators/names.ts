import { pick, type Rng } from "./prng";

const ADJECTIVES = [
	"Velvet", "Midnight", "Golden", "Electric", "Silent", "Crimson", "Neon", "Hollow", "Lunar", "Wild",
	"Broken", "Crystal", "Distant", "Frozen", "Hidden", "Liquid", "Northern", "Paper", "Restless", "Solar",
	"Tender", "Urban", "Violet", "Wandering", "Young", "Amber", "Cosmic", "Deep", "Endless", "Faded"
] as const;

const NOUNS = [
	"Owl", "River", "Signal", "Garden", "Machine", "Harbor", "Echo", "Forest", "Mirror", "Engine",
	"Tide", "Circuit", "Lantern", "Orbit", "Canyon", "Feather", "Horizon", "Island", "Meadow", "Pulse",
	"Rocket", "Shadow", "Thunder", "Valley", "Wave", "Atlas", "Comet", "Desert", "Ember", "Falcon"
] as const;

const FIRST = ["Mara", "Jonas", "Ines", "Theo", "Lena", "Kofi", "Aiko", "Ravi", "Noor", "Elio", "Sofia", "Bram"] as const;
const LAST = ["Kessler", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Varga", "Delacroix", "Haddad", "Novak", "Reyes"] as const;

export const GENRES = [
	"house", "techno", "deep house", "drum and bass", "indie rock", "synthpop", "hip hop", "jazz",
	"ambient", "disco", "funk", "trance", "dubstep", "uk garage", "neo soul", "electro"
] as const;

export const COUNTRIES = ["US", "GB", "FR", "DE", "SE", "NL", "JP", "CA", "AU", "BE"] as const;

export function artistName(rng: Rng): string {
	switch (Math.floor(rng() * 4)) {
		case 0:
			return `The ${pick(rng, ADJECTIVES)} ${pick(rng, NOUNS)}s`;
		case 1:
			return `${pick(rng, FIRST)} ${pick(rng, LAST)}`;
		case 2:
			return `DJ ${pick(rng, NOUNS)}`;
		default:
			return `${pick(rng, ADJECTIVES)} ${pick(rng, NOUNS)}`;
	}
}

export function titleName(rng: Rng): string {
	const base = `${pick(rng, ADJECTIVES)} ${pick(rng, NOUNS)}`;
	return rng() < 0.15 ? `${base} (Extended Mix)` : base;
}

export function labelName(rng: Rng): string {
	return rng() < 0.5 ? `${pick(rng, NOUNS)} Records` : `${pick(rng, ADJECTIVES)} Recordings`;
}
