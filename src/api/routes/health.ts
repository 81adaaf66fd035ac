import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { StoreHealth } from '../../storage/port.js';
import type { AppDeps } from '../deps.js';

export interface HealthOptions {
  deps: AppDeps;
  version: string;
  startedMs: number;
}

/** A store that does not answer within this is reported down rather than holding the probe. */
const STORE_HEALTH_TIMEOUT_MS = 2_000;

/**
 * What a store's health `detail` may show: a code, never the store's own text, which can carry a
 * URL, a path or a query (issue 11). The text goes to the log.
 */
function storeDetailCode(store: StoreHealth, log: { warn: (obj: object, msg: string) => void }): string | null {
  if (store.ok || store.detail === undefined || store.detail === null) return null;
  if (store.detail === 'health check timed out') return 'store-timeout';
  if (store.detail === 'not started') return 'store-not-started';
  log.warn({ detail: store.detail }, 'store health check reports a failure');
  return 'store-unavailable';
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const healthSchema = z.object({
  status: z.enum(['ok', 'degraded', 'down']),
  version: z.string(),
  uptimeS: z.number().describe('Seconds since the API was built'),
  lastReading: z.string().nullable().describe('ISO time of the newest stored reading'),
  broker: z.object({ mode: z.enum(['embedded', 'external']), connected: z.boolean(), endpoint: z.string(), lastMessage: z.string().nullable() }),
  store: z.object({ kind: z.enum(['duckdb', 'influxdb']), ok: z.boolean(), detail: z.string().nullable().describe('A code (store-timeout, store-unavailable, store-not-started), never the store\'s own text'), lastReading: z.string().nullable() }),
  writePath: z.object({
    storeUp: z.boolean(),
    acknowledging: z.boolean().describe('False when the spool is full: the broker then keeps messages unacknowledged'),
    replaying: z.boolean(),
    replayedReadings: z.number().describe('Spooled readings written to the store since the start (replay progress)'),
    pendingReadings: z.number(),
    spoolReadings: z.number(),
    spoolBytes: z.number(),
    spoolMaxBytes: z.number(),
    deadLetters: z.number(),
    lastWrite: z.string().nullable(),
    lastWriteLatencyMs: z.number().nullable().describe('Duration of the last successful batch write to the store'),
    lastError: z.string().nullable().describe('A code (store-unreachable, store-timeout, store-unavailable, spool-disk-full, spool-unwritable, spool-io-error…), never an error text'),
    spoolWritable: z.boolean().describe('False while the spool cannot write (disk full, unwritable): nothing is acknowledged, status is down'),
  }),
  email: z
    .object({
      configured: z.boolean().describe('False when SMTP_URL is unset: mails wait in the outbox'),
      outboxDepth: z.number().describe('Mails not yet accepted by the SMTP server'),
      lastError: z.string().nullable().describe('The last SMTP failure as a code (smtp-reply-535, smtp-esocket-econnrefused…), never the server text'),
      lastErrorAt: z.string().nullable(),
      lastSuccessAt: z.string().nullable(),
      mailsAtMaxBackoff: z.number().describe('Mails that failed so often they are retried every 30 min (never dropped)'),
    })
    .nullable(),
});

const publicHealthSchema = z.object({ status: z.enum(['up', 'down']) });

async function probeStore(deps: AppDeps): Promise<StoreHealth> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<StoreHealth>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, kind: deps.store.kind, detail: 'health check timed out', lastReadingMs: null }), STORE_HEALTH_TIMEOUT_MS);
  });
  try {
    return await Promise.race([deps.store.health(), timeout]);
  } catch (err) {
    deps.logger.warn({ err }, 'store health check failed');
    return { ok: false, kind: deps.store.kind, detail: 'health check failed', lastReadingMs: null };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * ok: everything up. degraded (also: alert e-mail failing for a long time, or unconfigured while sites have recipients): data still flows or is kept (store down but the spool
 * accepts, or broker down but history is served). down (503): readings are being lost
 * or cannot be served: the store is down and either the broker is down or the spool is full.
 */
export const healthRoutes: FastifyPluginAsyncZod<HealthOptions> = async (app, { deps, version, startedMs }) => {
  app.get(
    '/api/health',
    { schema: { summary: 'Service health', tags: ['health'], response: { 200: z.union([healthSchema, publicHealthSchema]), 503: z.union([healthSchema, publicHealthSchema]) } } },
    async (request, reply) => {
      const broker = deps.ingest.status();
      const store = await probeStore(deps);
      const write = deps.writer.status();
      const mail = deps.mail?.status() ?? null;
      // Mail that keeps failing does not lose readings: degraded, never down. No SMTP_URL is only a
      // fault when some site has recipients waiting for mail.
      const wantsMail = deps.config.sites.some((s) => (s.notifications?.length ?? 0) > 0);
      const mailOk = mail === null || (mail.configured ? mail.mailsAtMaxBackoff === 0 : !wantsMail);
      const allUp = (write.spoolWritable ?? true) && broker.connected && store.ok && write.storeUp && write.acknowledging && !write.replaying && mailOk;
      // A spool that cannot write takes nothing: readings are refused whatever the store says.
      const spoolWritable = write.spoolWritable ?? true;
      const down = (!store.ok && (!broker.connected || !write.acknowledging)) || !spoolWritable;
      const status = allUp ? 'ok' : down ? 'down' : 'degraded';
      // Anonymous callers (a load balancer's probe) learn up or down, nothing of the internals (issue 11).
      if (!request.caller) return reply.code(status === 'down' ? 503 : 200).send({ status: status === 'down' ? 'down' : 'up' });
      return reply.code(status === 'down' ? 503 : 200).send({
        status,
        version,
        uptimeS: Math.max(0, Math.round((deps.now() - startedMs) / 1000)),
        lastReading: iso(store.lastReadingMs),
        broker: { mode: broker.mode, connected: broker.connected, endpoint: broker.endpoint, lastMessage: iso(broker.lastMessageMs) },
        store: { kind: store.kind, ok: store.ok, detail: storeDetailCode(store, request.log), lastReading: iso(store.lastReadingMs) },
        writePath: {
          storeUp: write.storeUp,
          acknowledging: write.acknowledging,
          replaying: write.replaying,
          replayedReadings: write.replayedReadings,
          pendingReadings: write.pendingReadings,
          spoolReadings: write.spoolReadings,
          spoolBytes: write.spoolBytes,
          spoolMaxBytes: write.spoolMaxBytes,
          deadLetters: write.deadLetters,
          lastWrite: iso(write.lastWriteMs),
          lastWriteLatencyMs: write.lastWriteLatencyMs ?? null,
          lastError: write.lastError,
          spoolWritable,
        },
        email:
          mail === null
            ? null
            : {
                configured: mail.configured,
                outboxDepth: mail.outboxDepth,
                lastError: mail.lastError,
                lastErrorAt: iso(mail.lastErrorMs),
                lastSuccessAt: iso(mail.lastSuccessMs),
                mailsAtMaxBackoff: mail.mailsAtMaxBackoff,
              },
      });
    },
  );
};
