/**
 * The two ways a write can fail, which the durable write pipeline treats differently:
 * an unavailable store is retried (the batch is spooled to disk), a rejected
 * reading is not (it goes to the dead-letter file with the store's reason).
 */

/** The store could not be reached or failed as a whole (network error, timeout, HTTP 5xx). Retry later. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * The store refused some readings for good (e.g. InfluxDB HTTP 400 "partial write:
 * points beyond retention policy dropped=1"). The others in the batch were stored.
 * `rejected` lists the refused readings when the store says which; otherwise the
 * pipeline finds them by writing the batch again one reading at a time.
 */
export class StoreRejectedError extends Error {
  constructor(
    message: string,
    readonly rejectedCount: number,
    readonly rejected?: readonly import('../model/reading.js').Reading[],
  ) {
    super(message);
    this.name = 'StoreRejectedError';
  }
}
