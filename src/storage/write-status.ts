/** What the durable write path reports to health and metrics. */
export interface WriteStatus {
  storeUp: boolean;
  /** Readings accepted but not yet durable (in memory, being written). */
  pendingReadings: number;
  spoolReadings: number;
  spoolBytes: number;
  spoolMaxBytes: number;
  /** True while spooled readings are being replayed into the store. */
  replaying: boolean;
  replayedReadings: number;
  /** False when the spool is full: messages are then left unacknowledged with the broker. */
  acknowledging: boolean;
  deadLetters: number;
  lastWriteMs: number | null;
  /** Duration of the last successful batch write to the store (optional: fakes may omit it). */
  lastWriteLatencyMs?: number | null;
  /** A code (error-codes.ts), never an error's text: it reaches the health answer. */
  lastError: string | null;
  /** False while the spool cannot write (ENOSPC, unwritable directory): health is then down (optional: fakes may omit it). */
  spoolWritable?: boolean;
}
