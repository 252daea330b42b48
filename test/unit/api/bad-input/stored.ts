/** Everything the services of a test broker have stored, to compare before and after the malformed requests. */
import type { ServiceBroker } from "moleculer";
import type { Collection, Doc } from "../../../../mixins/store/types";

interface StoreService {
	name: string;
	schema: { collections?: Record<string, unknown> };
	collection(name: string): Collection<Doc>;
}

/** Every document of every collection of every local service, by "service.collection", in id order. */
export async function storedData(broker: ServiceBroker): Promise<Record<string, Doc[]>> {
	const out: Record<string, Doc[]> = {};
	for (const service of broker.services as unknown as StoreService[]) {
		for (const name of Object.keys(service.schema.collections ?? {})) {
			out[`${service.name}.${name}`] = await service.collection(name).find({}, { sort: { _id: 1 } });
		}
	}
	return out;
}

/** The collections whose documents differ, each with its document counts before and after. */
export function changedCollections(before: Record<string, Doc[]>, after: Record<string, Doc[]>): string[] {
	const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
	return names
		.filter(n => JSON.stringify(before[n]) !== JSON.stringify(after[n]))
		.map(n => {
			const ids = new Set((before[n] ?? []).map(d => JSON.stringify(d)));
			const added = (after[n] ?? []).filter(d => !ids.has(JSON.stringify(d)));
			return `${n}: ${before[n]?.length ?? 0} -> ${after[n]?.length ?? 0} documents; new or changed: ${JSON.stringify(added).slice(0, 400)}`;
		});
}
