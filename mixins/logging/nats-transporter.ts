import { Transporters } from "moleculer";
import type { NatsConnection, Status } from "nats";

/**
 * Moleculer's NATS transporter, but a lost or regained connection is said at warn/info level: the
 * stock one reports them at debug, so a NATS restart showed up only as lease time-outs.
 */
export class LoggedNatsTransporter extends Transporters.NATS {
	override async connect(): Promise<void> {
		await super.connect();
		const client = this.client as NatsConnection | undefined;
		if (client) void this.logStatus(client);
	}

	private async logStatus(client: NatsConnection): Promise<void> {
		for await (const s of client.status()) this.logOne(s);
	}

	private logOne(s: Status): void {
		const server = typeof s.data === "string" ? s.data : "";
		switch (s.type) {
			case "disconnect":
				this.logger.warn(`NATS connection lost${server ? ` (${server})` : ""}: reconnecting; calls to other nodes wait or fail until it is back`);
				break;
			case "reconnect":
				this.logger.info(`NATS connection back${server ? ` (${server})` : ""}`);
				break;
			case "ldm":
				this.logger.warn("NATS server is entering lame duck mode: it will close this connection soon");
				break;
			case "error":
				this.logger.warn(`NATS error: ${String(s.data)}`);
				break;
			default:
				break;
		}
	}
}
