import { canonicalGenre, canonicalGenres } from "../../../services/catalog/genres";

describe("one genre vocabulary across providers", () => {
	it("folds spelling variants into one lower-case name", () => {
		expect(canonicalGenre("Drum & Bass")).toBe("drum and bass");
		expect(canonicalGenre("dnb")).toBe("drum and bass");
		expect(canonicalGenre("Hip-Hop")).toBe("hip hop");
		expect(canonicalGenre("  Deep   House ")).toBe("deep house");
		expect(canonicalGenre("Synth-Pop", "spotify")).toBe("synthpop");
		expect(canonicalGenre("   ")).toBeUndefined();
	});

	it("names Deezer's broad categories as the genres they stand for", () => {
		expect(canonicalGenre("Rap/Hip Hop", "deezer")).toBe("hip hop");
		expect(canonicalGenre("R&B", "deezer")).toBe("r&b");
		expect(canonicalGenre("Soul & Funk", "deezer")).toBe("soul and funk");
		expect(canonicalGenre("Films/Games", "deezer")).toBe("soundtrack");
		// Deezer's "Electro" is all electronic music; Spotify's "electro" is the genre.
		expect(canonicalGenre("Electro", "deezer")).toBe("electronic");
		expect(canonicalGenre("electro", "spotify")).toBe("electro");
		expect(canonicalGenre("Dance", "deezer")).toBe("dance");
	});

	it("keeps a list's order and drops what becomes a duplicate", () => {
		expect(canonicalGenres(["Rap/Hip Hop", "Hip-Hop", "Electro"], "deezer")).toEqual(["hip hop", "electronic"]);
		expect(canonicalGenres(undefined)).toEqual([]);
	});
});
