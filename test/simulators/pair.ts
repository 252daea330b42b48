import { generateCatalog, type Catalog, type CatalogOptions } from "./catalog";
import { startDeezerSimulator, type DeezerSimulator, type DeezerSimulatorOptions } from "./deezer";
import { startSpotifySimulator, type SpotifySimulator, type SpotifySimulatorOptions } from "./spotify";

export interface SimulatorPairOptions {
	catalog?: CatalogOptions;
	spotify?: Omit<SpotifySimulatorOptions, "catalog">;
	deezer?: Omit<DeezerSimulatorOptions, "catalog">;
}

export interface SimulatorPair {
	catalog: Catalog;
	spotify: SpotifySimulator;
	deezer: DeezerSimulator;
	close(): Promise<void>;
}

/** Both providers over one catalog, so ISRCs and expected totals agree. */
export async function startSimulators(options: SimulatorPairOptions = {}): Promise<SimulatorPair> {
	const catalog = generateCatalog(options.catalog);
	const spotify = await startSpotifySimulator({ ...options.spotify, catalog });
	const deezer = await startDeezerSimulator({ ...options.deezer, catalog }).catch(async (err: unknown) => {
		await spotify.close();
		throw err;
	});
	return {
		catalog,
		spotify,
		deezer,
		close: async () => {
			await Promise.all([spotify.close(), deezer.close()]);
		}
	};
}
