import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { buildApp } from '../../../src/api/app.js';
import type { AppDeps } from '../../../src/api/deps.js';
import { loadConfigFile } from '../../../src/config/load.js';
import type { AppConfig } from '../../../src/config/schema.js';
import type { IngestStatus, RejectionRecord } from '../../../src/ingest/types.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import type { WriteStatus } from '../../../src/storage/write-status.js';
import { FakeStore } from './fake-store.js';

/** The shipped example, with its published demo secrets (env empty: every `${VAR:-demo-…}` falls back). */
export function exampleConfig(): AppConfig {
  return loadConfigFile(fileURLToPath(new URL('../../../config/sites.example.yaml', import.meta.url)), {});
}

/** Every device secret of a configuration: none may ever appear in a response. */
export function secretsOf(config: AppConfig): string[] {
  return config.sites.flatMap((s) => s.devices.flatMap((d) => [d.secret, d.secretHash].filter((x): x is string => x !== undefined)));
}

export const NOW_MS = Date.parse('2026-11-02T12:00:00Z');

export interface Harness {
  app: FastifyInstance;
  deps: AppDeps;
  store: FakeStore;
  ingestStatus: IngestStatus;
  writeStatus: WriteStatus;
  rejections: RejectionRecord[];
  rejectionLimits: number[];
  clock: { nowMs: number };
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/** Builds the app over fakes of its narrow deps; closed after each test. */
export async function harness(overrides: Partial<AppDeps> = {}, store = new FakeStore()): Promise<Harness> {
  const clock = { nowMs: NOW_MS };
  const ingestStatus: IngestStatus = { mode: 'embedded', connected: true, endpoint: 'mqtt://127.0.0.1:1883', lastMessageMs: NOW_MS - 1000 };
  const writeStatus: WriteStatus = {
    storeUp: true,
    pendingReadings: 0,
    spoolReadings: 0,
    spoolBytes: 0,
    spoolMaxBytes: 512 * 1024 * 1024,
    replaying: false,
    replayedReadings: 0,
    acknowledging: true,
    deadLetters: 0,
    lastWriteMs: NOW_MS - 500,
    lastError: null,
  };
  const rejections: RejectionRecord[] = [];
  const rejectionLimits: number[] = [];
  const deps: AppDeps = {
    config: exampleConfig(),
    store,
    ingest: {
      status: () => ingestStatus,
      rejections: (limit) => {
        rejectionLimits.push(limit);
        return rejections.slice(0, limit);
      },
    },
    writer: { status: () => writeStatus },
    metrics: createMetrics(),
    logger: createLogger('silent'),
    now: () => clock.nowMs,
    version: '9.9.9-test',
    ...overrides,
  };
  const app = await buildApp(deps);
  apps.push(app);
  return { app, deps, store, ingestStatus, writeStatus, rejections, rejectionLimits, clock };
}
