import type { ServiceBroker } from "moleculer";

/** True when some node (this one included) offers the service right now. */
export function serviceAvailable(broker: ServiceBroker, name: string): boolean {
	return broker.registry.getServiceList({ onlyAvailable: true, skipInternal: true }).some((s: { name: string }) => s.name === name);
}

/** True when some node offers the action right now. */
export function actionAvailable(broker: ServiceBroker, action: string): boolean {
	return broker.registry.getActionList({ onlyAvailable: true, skipInternal: true }).some((a: { name: string }) => a.name === action);
}
