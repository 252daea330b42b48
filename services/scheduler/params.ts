/** fastest-validator schemas shared by the scheduler's actions. */
export const jobRef = {
	id: { type: "string", min: 1, max: 100 },
	token: { type: "string", min: 1, max: 100 }
} as const;

/** A job type such as album.tracks; the pause, resume and dead-letter routes take nothing else. */
export const jobType = { type: "string", pattern: /^[a-z]+(\.[a-z]+)+$/, max: 50 } as const;

/** A finished job: its lease, and optionally what it did and its type (the status tells rates apart per type). */
export const completion = {
	...jobRef,
	outcome: { type: "string", optional: true, max: 200 },
	type: { ...jobType, optional: true }
} as const;

export const newJob = {
	type: "object",
	strict: "remove",
	props: {
		type: jobType,
		entity: { type: "string", min: 1, max: 500 },
		payload: { type: "object", optional: true },
		tier: { type: "enum", values: ["high", "medium", "low"], optional: true },
		runAt: { type: "number", integer: true, optional: true },
		refresh: { type: "boolean", optional: true }
	}
} as const;

export const failure = {
	type: "object",
	props: {
		message: { type: "string", max: 2000 },
		kind: { type: "enum", values: ["retryable", "rate-limited", "not-found", "fatal"] },
		retryAfterMs: { type: "number", optional: true, min: 0 }
	}
} as const;
