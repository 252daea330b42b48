/** The part of music-tempo (MIT, untyped) the tempo benchmark compares against. */
declare module "music-tempo" {
	export default class MusicTempo {
		constructor(audio: Float32Array | number[], params?: Record<string, number>);
		/** BPM as a string with three decimals. */
		tempo: string;
		beats: number[];
	}
}
