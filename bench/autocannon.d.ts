/** The part of autocannon's API (it ships no types) that bench/api.ts uses. */
declare module "autocannon" {
	interface Options {
		url: string;
		connections?: number;
		duration?: number;
		pipelining?: number;
		headers?: Record<string, string>;
	}
	interface Stats {
		average: number;
		mean: number;
		p50: number;
		p99: number;
		max: number;
		total: number;
	}
	interface Result {
		requests: Stats;
		latency: Stats;
		throughput: Stats;
		errors: number;
		timeouts: number;
		non2xx: number;
		duration: number;
	}
	function autocannon(options: Options): Promise<Result>;
	export = autocannon;
}
