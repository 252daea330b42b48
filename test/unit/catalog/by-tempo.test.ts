import CatalogService from "../../../services/catalog.service";
import type { TrackDoc } from "../../../services/catalog/model";
import { tempoFilter } from "../../../services/catalog/tempo";
import { TempoReadings, tracksByTempo, type TempoPageQuery } from "../../../services/catalog/by-tempo";
import { EmbeddedAdapter } from "../../../mixins/store/sqlite-adapter";
import type { Collection, CollectionSpec } from "../../../mixins/store/types";
import { mulberry32, type Rng } from "../../simulators/prng";

type Track = Pick<TrackDoc, "_id" | "tempo" | "tempoAlt" | "energy" | "genre"> & { name: string };

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
/** Ranges' ends and their neighbours, whole and fractional tempos, so boundaries and ties are hit often. */
const TEMPOS = [60, 83.5, 84.99, 85, 86.5, 86.51, 100, 119.995, 120, 166.99, 167, 170, 171.25, 173, 173.01, 200, 340];
const GENRES = ["house", "techno", "drum and bass", "jazz"];

function randomTempo(rng: Rng): number {
	return rng() < 0.5 ? pick(rng, TEMPOS) : Math.round((55 + rng() * 150) * 100) / 100;
}

/** Tracks in every shape byTempo meets: with and without tempo, tempoAlt, energy and genre. */
function randomTrack(rng: Rng, i: number): Omit<Track, "_id"> & { _id: string } {
	const doc: Omit<Track, "_id"> & { _id: string } = { _id: `t${String(Math.floor(rng() * 1e6)).padStart(6, "0")}-${i}`, name: `track ${i}` };
	if (rng() < 0.9) doc.tempo = randomTempo(rng);
	if (rng() < 0.3) doc.tempoAlt = doc.tempo !== undefined && rng() < 0.8 ? doc.tempo * pick(rng, [0.5, 2]) : randomTempo(rng);
	if (rng() < 0.7) doc.energy = pick(rng, [0, 0.5, Math.round(rng() * 1000) / 1000]);
	if (rng() < 0.8) doc.genre = pick(rng, GENRES);
	return doc;
}

function randomQuery(rng: Rng): TempoPageQuery {
	const q: TempoPageQuery = {
		bpm: pick(rng, [60, 85, 120, 170, 172.5, 200, 100 + Math.round(rng() * 1000) / 10]),
		tolerance: pick(rng, [0, 1, 3, 8, 30, Math.round(rng() * 50) / 10]),
		halfDouble: rng() < 0.5,
		limit: pick(rng, [1, 5, 50, 200]),
		offset: pick(rng, [0, 0, 3, 40, 500])
	};
	if (rng() < 0.3) q.minEnergy = pick(rng, [0, 0.5, 0.9]);
	if (rng() < 0.3) q.genre = pick(rng, ["House", "techno", "Drum and Bass", "polka"]);
	return q;
}

/** byTempo's selection as one store query: the `$or` that is slow on a large catalog, kept as the reference. */
async function storeAnswer(tracks: Collection<Track>, q: TempoPageQuery): Promise<string[]> {
	const filter = tempoFilter(q);
	if (q.genre) filter.genre = q.genre.toLowerCase();
	const docs = await tracks.find(filter, { sort: { tempo: 1, _id: 1 }, limit: q.limit, skip: q.offset, projection: { _id: 1 } });
	return docs.map(d => d._id);
}

async function expectSameAnswers(tracks: Collection<Track>, rng: Rng, queries: number): Promise<void> {
	for (let i = 0; i < queries; i++) {
		const q = randomQuery(rng);
		const expected = await storeAnswer(tracks, q);
		const ids = (await tracksByTempo(tracks as unknown as Collection<TrackDoc>, q)).map(d => d._id);
		expect({ q, ids }).toEqual({ q, ids: expected });
	}
}

describe("catalog byTempo, one indexed query per reading merged", () => {
	let adapter: EmbeddedAdapter;
	let tracks: Collection<Track>;

	beforeAll(async () => {
		adapter = new EmbeddedAdapter({ dataDir: "unused", inMemory: true });
		await adapter.connect();
		const spec = (CatalogService.collections as Record<string, CollectionSpec>).tracks;
		tracks = await adapter.collection<Track>("catalog.tracks", spec);
		const rng = mulberry32(11);
		await tracks.insertMany(Array.from({ length: 2000 }, (_, i) => randomTrack(rng, i)));
	});
	afterAll(async () => {
		await adapter.close();
	});

	it("gives the ids, order and paging of the single $or query on a random catalog", async () => {
		await expectSameAnswers(tracks, mulberry32(12), 300);
	});

	it("gives the same answers from kept readings, cleared after each write as the catalog service does", async () => {
		const readings = new TempoReadings();
		const rng = mulberry32(14);
		for (let i = 0; i < 200; i++) {
			const q = randomQuery(rng);
			const expected = await storeAnswer(tracks, q);
			for (let again = 0; again < 2; again++) {
				const ids = (await tracksByTempo(tracks as unknown as Collection<TrackDoc>, q, readings)).map(d => d._id);
				expect({ q, ids }).toEqual({ q, ids: expected });
			}
			if (i % 10 === 9) {
				await tracks.insert(randomTrack(rng, 20_000 + i));
				readings.clear();
			}
		}
	});

	it("stays the same as the $or query through inserts, updates, upserts, claims and deletes", async () => {
		const rng = mulberry32(13);
		// Ids deleted meanwhile stay in the list: writes to them match nothing, which is a case too.
		const ids = (await tracks.find({}, { projection: { _id: 1 } })).map(d => d._id);
		for (let round = 0; round < 300; round++) {
			const id = pick(rng, ids);
			const fresh = randomTrack(rng, 10_000 + round);
			ids.push(fresh._id);
			const { _id: _, name: __, ...features } = fresh;
			switch (round % 7) {
				case 0:
					await tracks.insert(fresh);
					break;
				case 1:
					// As catalog.setFeatures writes them.
					await tracks.update({ _id: id }, { $set: { ...features, updatedAt: round } });
					break;
				case 2:
					await tracks.findOneAndUpdate({ _id: id }, { $unset: { tempo: 1 }, $set: { tempoAlt: randomTempo(rng) } });
					break;
				case 3:
					await tracks.upsert({ _id: rng() < 0.5 ? id : `new-${round}` }, { $set: features });
					break;
				case 4:
					await tracks.update({ genre: pick(rng, GENRES), tempo: { $lt: 70 } }, { $set: { energy: 0.99 } }, { multi: true });
					break;
				case 5:
					await tracks.claimMany({ tempo: { $gte: 100 } }, { _id: 1 }, { $inc: { tempo: 0.5 } }, 3);
					break;
				default:
					await tracks.delete(rng() < 0.5 ? { _id: id } : { genre: "jazz", tempo: { $gte: 199 } }, { multi: true });
			}
		}
		await expectSameAnswers(tracks, mulberry32(14), 200);
	});
});
