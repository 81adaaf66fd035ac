import { StoreRejectedError, StoreUnavailableError } from './errors.js';

/**
 * Stable codes for what went wrong on the write path and in store probes, shown by
 * `/api/health` instead of the error's text (issue 11: a store's message can carry a URL, a
 * file path, a query or a credential). The text itself goes to the service log only.
 */
export type StorageErrorCode =
  | 'store-unreachable'
  | 'store-timeout'
  | 'store-unavailable'
  | 'store-rejected'
  | 'store-not-started'
  | 'spool-disk-full'
  | 'spool-unwritable'
  | 'spool-io-error'
  | 'unknown-error';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUT = new Set(['ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ABORT_ERR']);

/** The errno-style code of `err` or of one of its causes (fetch wraps the socket error). */
function errnoOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'ABORT_ERR';
  }
  return undefined;
}

/** A store write or probe failure as a code. */
export function storeErrorCode(err: unknown): StorageErrorCode {
  if (err instanceof StoreRejectedError) return 'store-rejected';
  const errno = errnoOf(err);
  if (errno && UNREACHABLE.has(errno)) return 'store-unreachable';
  if (errno && TIMEOUT.has(errno)) return 'store-timeout';
  if (err instanceof StoreUnavailableError) return /time(d)? ?out/i.test(err.message) ? 'store-timeout' : 'store-unavailable';
  return 'unknown-error';
}

/** A spool file operation failure as a code: the disk is full, or the directory cannot be written. */
export function spoolErrorCode(err: unknown): StorageErrorCode {
  const errno = errnoOf(err);
  if (errno === 'ENOSPC' || errno === 'EDQUOT' || errno === 'EFBIG') return 'spool-disk-full';
  if (errno === 'EACCES' || errno === 'EPERM' || errno === 'EROFS') return 'spool-unwritable';
  return 'spool-io-error';
}
