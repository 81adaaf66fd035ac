import type { AppDeps } from '../../src/api/deps.js';
import type { WriteStatus } from '../../src/storage/write-status.js';

/** A write path at rest (nothing pending, store up), for API tests that do not ingest. */
export function idleWriteStatus(): WriteStatus {
  return {
    storeUp: true,
    pendingReadings: 0,
    spoolReadings: 0,
    spoolBytes: 0,
    spoolMaxBytes: 1,
    replaying: false,
    replayedReadings: 0,
    acknowledging: true,
    deadLetters: 0,
    lastWriteMs: null,
    lastError: null,
  };
}

/** The ingest and writer sides of AppDeps for API tests over a store filled directly. */
export function idleIngestDeps(): Pick<AppDeps, 'ingest' | 'writer'> {
  const write = idleWriteStatus();
  return {
    ingest: { status: () => ({ mode: 'embedded', connected: true, endpoint: 'mqtt://127.0.0.1:1883', lastMessageMs: null }), rejections: () => [] },
    writer: { status: () => write },
  };
}
