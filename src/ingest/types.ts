/** Why a message, or one entry of a SenML pack, was not stored. Also the `reason` label of the rejection metric. */
export const REJECTION_REASONS = [
  'unknown-topic',
  'unknown-site',
  'unknown-device',
  'unknown-quantity',
  'undeclared-quantity',
  'malformed-payload',
  'invalid-value',
  'unsupported-unit',
  'invalid-timestamp',
  'future-timestamp',
  'oversized-payload',
  // Device profiles (src/ingest/profiles/): a field the profile needs is absent; a local time
  // without offset that happens twice (the autumn DST hour).
  'missing-field',
  'ambiguous-timestamp',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface Rejection {
  reason: RejectionReason;
  /** Human sentence naming the field at fault, e.g. `entry 2 ("power_w"): value "abc" is not a finite number`. */
  detail: string;
  /** The SenML entry index or JSON key the rejection is about, when it is about one. */
  field?: string;
}

export interface RejectionRecord extends Rejection {
  receivedMs: number;
  topic: string;
  site?: string;
  device?: string;
  /** The start of the payload, for diagnosis (at most 200 characters). */
  payloadExcerpt: string;
}

export interface IngestStatus {
  mode: 'embedded' | 'external';
  /** Embedded: the broker is listening. External: the client is connected. */
  connected: boolean;
  /** The MQTT URL (without credentials) or listening address. */
  endpoint: string;
  lastMessageMs: number | null;
}
