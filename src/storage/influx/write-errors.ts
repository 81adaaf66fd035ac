import { StoreRejectedError, StoreUnavailableError } from '../errors.js';

/** The message of an InfluxDB error body (`{"error":"..."}`), or the raw text if it is not one. */
export function influxErrorMessage(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && 'error' in parsed && typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: a proxy page or an empty body
  }
  return body.trim().slice(0, 500) || '(empty body)';
}

/**
 * The database or our retention policy is missing (dropped under us, or never created because
 * InfluxDB was down when the service started): unavailable until the store creates them again.
 */
export class InfluxSchemaMissingError extends StoreUnavailableError {
  constructor(message: string) {
    super(message);
    this.name = 'InfluxSchemaMissingError';
  }
}

/**
 * What a failed `/write` means for the write pipeline (InfluxDB 1.x httpd/handler.go, serveWrite):
 * - 5xx, 401/403: the store failed as a whole (or refuses us until reconfigured): retry later;
 * - 404 "database not found", 500 "retention policy not found": the schema is missing; the readings
 *   are fine, so this is "unavailable" (the store creates the schema again), never a dead letter;
 * - 400 "partial write: ... dropped=N": InfluxDB stored the other points and dropped N (points beyond
 *   the retention policy, field type conflicts); for unparsable lines it says dropped=0 and names each
 *   line "unable to parse '…'", so those are counted;
 * - any other 4xx: the whole batch is refused.
 */
export function writeFailure(status: number, body: string, lineCount: number): StoreUnavailableError | StoreRejectedError {
  const message = influxErrorMessage(body);
  if ((status === 404 && message.startsWith('database not found')) || message.startsWith('retention policy not found')) {
    return new InfluxSchemaMissingError(`InfluxDB write failed: HTTP ${status}: ${message}`);
  }
  if (status >= 500 || status === 401 || status === 403) {
    return new StoreUnavailableError(`InfluxDB write failed: HTTP ${status}: ${message}`);
  }
  if (status === 400 && message.startsWith('partial write')) {
    const dropped = Number(/dropped=(\d+)/.exec(message)?.[1] ?? 0);
    const unparsable = message.match(/unable to parse '/g)?.length ?? 0;
    const count = dropped > 0 ? dropped : unparsable > 0 ? unparsable : lineCount;
    return new StoreRejectedError(`InfluxDB dropped ${count} of ${lineCount} points: ${message}`, Math.min(count, lineCount));
  }
  return new StoreRejectedError(`InfluxDB refused the batch of ${lineCount} points: HTTP ${status}: ${message}`, lineCount);
}

/** A fetch that threw: refused connection, reset, DNS, or our own timeout. */
export function networkFailure(what: string, err: unknown, timeoutMs: number): StoreUnavailableError {
  const name = err instanceof Error ? err.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new StoreUnavailableError(`InfluxDB ${what} timed out after ${timeoutMs} ms`, { cause: err });
  }
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  const text = err instanceof Error ? err.message : String(err);
  return new StoreUnavailableError(`InfluxDB ${what} failed: ${text}${cause}`, { cause: err });
}
