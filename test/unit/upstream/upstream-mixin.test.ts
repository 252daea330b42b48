import { ServiceBroker, type Service, type ServiceSchema, type ServiceSettingSchema } from "moleculer";
import { attachConfig, testConfig } from "../../../config";
import { upstreamProblems } from "../../../config/upstreams";
import type { Limiter } from "../../../mixins/rate-limit/types";
import { API_CALLS_METRIC, API_ERRORS_METRIC, UpstreamMixin, upstreamConfigOf, type UpstreamConfig, type UpstreamMixinOptions, type UpstreamVars } from "../../../mixins/upstream/upstream.mixin";
import { generateCatalog, startSimulators, type SimulatorPair } from "../../simulators";
import { PassThroughLimiter } from "./helpers";

const catalog = generateCatalog({ seed: 3, artists: 3, albumsPerArtist: 2, tracksPerAlbum: 5 });

type UpstreamService = Service & UpstreamVars;

function crawlerService(mixin: Partial<ServiceSchema>, extra: Partial<ServiceSchema> = {}): ServiceSchema {
	const schema: ServiceSchema<ServiceSettingSchema, object, UpstreamVars> = {
		name: "crawler",
		mixins: [mixin],
		actions: {
			deezerArtist(this: UpstreamService, ctx) {
				return this.deezer.artist(String((ctx.params as { id: string }).id));
			},
			spotifyArtist(this: UpstreamService, ctx) {
				if (!this.spotify) throw new Error("no spotify");
				return this.spotify.artist(String((ctx.params as { id: string }).id));
			}
		},
		...extra
	};
	return schema as ServiceSchema;
}

function counter(broker: ServiceBroker, name: string, labels: Record<string, string>): number {
	const value = broker.metrics.getMetric(name)?.get(labels) as { value?: number } | null;
	return value?.value ?? 0;
}

describe("UpstreamMixin", () => {
	let sims: SimulatorPair;
	let broker: ServiceBroker | undefined;
	let config: UpstreamConfig;

	beforeAll(async () => {
		sims = await startSimulators({ catalog: catalog.options });
		config = upstreamConfigOf({
			SPOTIFY_ACCOUNTS_URL: sims.spotify.accountsUrl,
			SPOTIFY_API_URL: sims.spotify.apiUrl,
			SPOTIFY_CLIENT_ID: sims.spotify.clientId,
			SPOTIFY_CLIENT_SECRET: sims.spotify.clientSecret,
			DEEZER_API_URL: sims.deezer.url
		});
	});
	afterAll(() => sims.close());
	afterEach(async () => {
		await broker?.stop();
		broker = undefined;
	});

	async function start(options: UpstreamMixinOptions, extra: Partial<ServiceSchema> = {}): Promise<ServiceBroker> {
		broker = new ServiceBroker({ logger: false, metrics: { enabled: true } });
		broker.createService(crawlerService(UpstreamMixin(options), extra));
		await broker.start();
		return broker;
	}

	it("builds both clients from config and counts calls and errors per provider and endpoint", async () => {
		const limiters = { spotify: new PassThroughLimiter("spotify"), deezer: new PassThroughLimiter("deezer") };
		const b = await start({ config: () => config, limiter: (_service, name) => limiters[name] });
		await b.call("crawler.deezerArtist", { id: String(catalog.deezerArtistId(0)) });
		await b.call("crawler.spotifyArtist", { id: catalog.artistSpotifyId(1) });
		await expect(b.call("crawler.deezerArtist", { id: "1" })).rejects.toMatchObject({ data: { kind: "not-found" } });

		expect(counter(b, API_CALLS_METRIC, { provider: "deezer", endpoint: "artist" })).toBe(2);
		expect(counter(b, API_ERRORS_METRIC, { provider: "deezer", endpoint: "artist" })).toBe(1);
		expect(counter(b, API_CALLS_METRIC, { provider: "spotify", endpoint: "token" })).toBe(1);
		expect(counter(b, API_CALLS_METRIC, { provider: "spotify", endpoint: "artist" })).toBe(1);
		expect(counter(b, API_ERRORS_METRIC, { provider: "spotify", endpoint: "artist" })).toBe(0);
		expect(limiters.deezer.scheduled).toBe(2);
		// The artist call; the token request takes no slot of the Web API's limiter.
		expect(limiters.spotify.scheduled).toBe(1);
	});

	it("uses the service's own limiter(name) method when given no limiter option", async () => {
		const used: string[] = [];
		const b = await start(
			{ config: () => config },
			{
				methods: {
					limiter(name: string): Limiter {
						used.push(name);
						return new PassThroughLimiter(name);
					}
				}
			}
		);
		await b.call("crawler.deezerArtist", { id: String(catalog.deezerArtistId(0)) });
		expect(used).toEqual(["deezer"]);
	});

	it("leaves Spotify off without credentials, reading the broker's configuration by default", async () => {
		broker = new ServiceBroker({ logger: false });
		attachConfig(broker, testConfig({ DEEZER_API_URL: sims.deezer.url }));
		const service = broker.createService(crawlerService(UpstreamMixin({ limiter: (_s, name) => new PassThroughLimiter(name) }))) as UpstreamService;
		await broker.start();
		expect(service.spotify).toBeUndefined();
		expect(service.deezer).toBeDefined();
		expect(upstreamConfigOf({})).toMatchObject({
			SPOTIFY_API_URL: "https://api.spotify.com/v1",
			DEEZER_API_URL: "https://api.deezer.com",
			SPOTIFY_MODE: "auto",
			UPSTREAM_TIMEOUT_MS: 10000
		});
	});

	it("refuses half a set of Spotify credentials", () => {
		expect(upstreamProblems({})).toEqual([]);
		expect(upstreamProblems({ SPOTIFY_CLIENT_ID: "id", SPOTIFY_CLIENT_SECRET: "secret" })).toEqual([]);
		expect(upstreamProblems({ SPOTIFY_CLIENT_ID: "id" })).toHaveLength(1);
	});
});
