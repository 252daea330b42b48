import type { Service, ServiceSchema } from "moleculer";
import { errorKind, NotFoundError } from "../mixins/upstream/errors";
import { RateLimitMixin } from "../mixins/rate-limit/rate-limit.mixin";
import { UpstreamMixin, type UpstreamVars } from "../mixins/upstream/upstream.mixin";
import type { AudioFeatures, ProviderTrack } from "../mixins/upstream/types";
import { WorkerMixin, type FillPolicy, type JobResult, type WorkerSettings } from "../mixins/worker.mixin";
import type { FeaturesUpdate } from "./catalog.service";
import type { TrackDoc } from "./catalog/model";
import { AnalysisMixin, type AnalysisVars } from "./audio-feature/analysis.mixin";
import type { AnalysisOutcome } from "./audio-feature/provider";
import { spotifyModeStore } from "./crawl/clients";
import type { LeasedJob } from "./scheduler/jobs";

type TrackRef = Pick<TrackDoc, "_id" | "isrc" | "spotifyId" | "deezerId" | "previewUrl" | "genre">;

interface AudioFeatureMethods {
	fromSpotify(refs: TrackRef[]): Promise<Map<string, AudioFeatures>>;
	fromDeezer(ref: TrackRef): Promise<ProviderTrack | undefined>;
}
type AudioFeatureThis = Service<WorkerSettings> & UpstreamVars & AnalysisVars & AudioFeatureMethods;

/** What the analysis provider's answer means for the track: features to write, or nothing yet. */
function fromAnalysis(id: string, outcome: AnalysisOutcome): { update?: FeaturesUpdate; outcome: string } {
	if (outcome.status === "ok") {
		const a = outcome.analysis;
		const update: FeaturesUpdate = { id, tempo: a.tempo, tempoSource: "analysis", tempoConfidence: a.confidence, tempoAlgorithm: a.algorithm, loudness: a.loudness, energy: a.energy };
		if (a.tempoAlt !== undefined) update.tempoAlt = a.tempoAlt;
		return { update, outcome: "analysis" };
	}
	if (outcome.status === "failed") {
		const unavailable = `no provider knows the tempo, and the preview could not be analysed (${outcome.reason}: ${outcome.message})`.slice(0, 500);
		return { update: { id, unavailable }, outcome: "unavailable" };
	}
	// A transient failure: the track stays pending and the cache holds it back until its retry time.
	return { outcome: "analysis-deferred" };
}

/**
 * Fills in tempo and the other features, trying the provider chain in order: Spotify
 * audio-features (extended-quota apps only), then Deezer's bpm by id or ISRC, then analysis of the
 * track's preview audio (services/audio-feature/, docs/tempo-analysis.md). A track nobody can serve
 * is marked unavailable with the reason, so the high tier does not retry it forever.
 * Leases 100 jobs at a time: Spotify's audio-features batch size.
 */
const AudioFeatureService: ServiceSchema<WorkerSettings> = {
	name: "audio-feature",
	// The analysis mixin comes last, so its worker pool closes after in-flight jobs have finished.
	mixins: [RateLimitMixin, UpstreamMixin({ modeStore: spotifyModeStore }), WorkerMixin, AnalysisMixin],
	settings: { worker: { jobTypes: ["track.features"], batchSize: 100, needs: ["catalog"] } },

	methods: {
		/** Spotify's audio-features batch is worth filling while albums still bring tracks; Deezer's per-track calls are not. */
		fillPolicy(this: AudioFeatureThis): FillPolicy {
			if (!this.spotify || this.spotify.mode === "development") return { fillMs: 0 };
			return { fillMs: 1000, fillWhile: ["artist.discover", "album.tracks"] };
		},

		async processBatch(this: AudioFeatureThis, jobs: LeasedJob[]): Promise<JobResult[]> {
			const refs = await this.broker.call<TrackRef[], object>("catalog.trackRefs", { ids: jobs.map(j => j.entity) });
			const byId = new Map(refs.map(r => [r._id, r]));
			const spotify = await this.fromSpotify(refs);
			const updates: FeaturesUpdate[] = [];
			const results = await Promise.all(
				jobs.map(async (job): Promise<JobResult> => {
					const ref = byId.get(job.entity);
					if (!ref) return { outcome: "not-found" };
					const sf = spotify.get(ref._id);
					if (sf) {
						updates.push({ id: ref._id, tempo: sf.tempo, tempoSource: "spotify", tempoConfidence: 0.95, energy: sf.energy, valence: sf.valence, danceability: sf.danceability, loudness: sf.loudness, key: sf.key, mode: sf.mode, timeSignature: sf.timeSignature });
						return { outcome: "spotify" };
					}
					try {
						const dz = await this.fromDeezer(ref);
						if (dz?.tempo) {
							updates.push({ id: ref._id, tempo: dz.tempo, tempoSource: "deezer", tempoConfidence: 0.8, ...(dz.gain !== undefined ? { loudness: dz.gain } : {}) });
							return { outcome: "deezer" };
						}
						const preview = dz?.previewUrl ?? ref.previewUrl;
						if (this.analysis && preview) {
							const analysed = fromAnalysis(ref._id, await this.analysis.analyse(preview, { genres: ref.genre ? [ref.genre] : undefined }));
							if (analysed.update) updates.push(analysed.update);
							return { outcome: analysed.outcome };
						}
						const why = dz ? "no provider knows the tempo (Deezer bpm is 0)" : "not on Deezer, and no Spotify audio features";
						updates.push({ id: ref._id, unavailable: this.analysis ? `${why}, and there is no preview to analyse` : why });
						return { outcome: "unavailable" };
					} catch (err) {
						return err as Error;
					}
				})
			);
			if (updates.length) await this.broker.call("catalog.setFeatures", { items: updates });
			this.broker.metrics?.increment("crawler_tracks_processed_total", { stage: "features" }, updates.length);
			return results;
		},

		async fromSpotify(this: AudioFeatureThis, refs: TrackRef[]): Promise<Map<string, AudioFeatures>> {
			const spotify = this.spotify;
			const ids = refs.filter(r => r.spotifyId).map(r => r.spotifyId as string);
			if (!spotify || ids.length === 0) return new Map();
			const features = await spotify.audioFeatures(ids);
			if (!features) return new Map();
			const bySpotifyId = new Map(features.map(f => [f.trackId, f]));
			const out = new Map<string, AudioFeatures>();
			for (const r of refs) {
				const f = r.spotifyId ? bySpotifyId.get(r.spotifyId) : undefined;
				if (f && f.tempo > 0) out.set(r._id, f);
			}
			return out;
		},

		async fromDeezer(this: AudioFeatureThis, ref: TrackRef): Promise<ProviderTrack | undefined> {
			const deezer = this.deezer;
			try {
				if (ref.deezerId) return await deezer.track(ref.deezerId);
				if (ref.isrc) return await deezer.trackByIsrc(ref.isrc);
				return undefined;
			} catch (err) {
				if (err instanceof NotFoundError || errorKind(err) === "not-found") return undefined;
				throw err;
			}
		}
	}
};

export default AudioFeatureService;
