import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { Accounts } from './accounts/accounts.js';
import { bootstrapAdmin, type BootstrapAdminOptions } from './accounts/bootstrap.js';
import { buildApp } from './api/app.js';
import type { EnvSettings } from './config/env.js';
import type { AppConfig } from './config/schema.js';
import { EnergyAnalyticsService } from './energy/analytics-service.js';
import { DigestScheduler } from './alerts/email/digest.js';
import { createMailComposer } from './alerts/email/notifier.js';
import { OutboxNotifier } from './alerts/email/outbox-notifier.js';
import { OutboxSender } from './alerts/email/outbox-sender.js';
import { AlertLifecycle } from './alerts/lifecycle.js';
import type { StateStore } from './alerts/state-port.js';
import { EventBus } from './events/event-bus.js';
import { StoredSpanCollector } from './events/stored-span.js';
import type { Reading } from './model/reading.js';
import { IngestService } from './ingest/ingest-service.js';
import { LiveFanoutProcess } from './live/fanout-process.js';
import { SiteLiveHub } from './live/site-live-hub.js';
import { embeddedBrokerHost } from './ingest/published-secrets.js';
import { readTlsFiles } from './ingest/broker/tls-files.js';
import { PartList, type ServicePart } from './parts.js';
import { RuleEvaluator } from './rules/evaluator.js';
import { loadRules, type LoadedRules } from './rules/load-rules.js';
import { defaultRegistry } from './rules/registry.js';
import { RuleScheduler } from './rules/scheduler.js';
import { bindRules } from './rules/subjects.js';
import { createStateStore } from './storage/state/create-state-store.js';
import { LeaderGate, fencedState } from './cluster/leader-gate.js';
import { LeaderLease } from './cluster/leader-lease.js';
import { LateMarks } from './cluster/late-marks.js';
import { LiveRelay } from './cluster/live-relay.js';
import { hostname } from 'node:os';
import type { Logger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import type { ReadingStore } from './storage/port.js';
import { DurableWriter } from './storage/write-pipeline.js';
import { settledWithin } from './lib/settled-within.js';

/** How long a stop waits for the rollups being written (service.ts, part analytics-rollups). */
const ROLLUPS_AT_STOP_MS = 10_000;

export interface ServiceDeps {
  config: AppConfig;
  env: EnvSettings;
  logger: Logger;
  now?: () => number;
  /** The rules in force (main.ts checks them before anything starts); loaded from env/config when absent. */
  rules?: LoadedRules;
  /** Outbox sender tuning (tests shorten the poll interval and backoff). */
  mail?: { pollIntervalMs?: number; random?: () => number };
  /**
   * How far back a rules cycle judges what it has not judged yet (default 24 h, the evaluator's).
   * The demo raises it to judge a history it has just published in a few cycles.
   */
  rulesMaxCatchUpMs?: number;
  /**
   * Start with the rule scheduler stopped (the caller starts it): the demo publishes a history
   * first, and a cron cycle in the middle of it would mark the whole span judged, on half the data.
   */
  rulesPaused?: boolean;
  /** First admin; defaults to ADMIN_EMAIL / ADMIN_PASSWORD / DEMO from env. The demo passes `{ demo: true }`. */
  bootstrapAdmin?: BootstrapAdminOptions;
}

/** A running service: its parts, where it listens, and one way to stop it. */
export interface RunningService {
  readonly store: ReadingStore;
  readonly writer: DurableWriter;
  readonly ingest: IngestService;
  readonly http: FastifyInstance;
  readonly metrics: Metrics;
  readonly events: EventBus;
  /** Stored readings fanned out to the live streams, one channel per watched site. */
  readonly live: SiteLiveHub;
  readonly state: StateStore;
  readonly evaluator: RuleEvaluator;
  readonly scheduler: RuleScheduler;
  readonly mail: OutboxSender;
  /** The leader lease when several instances share PostgreSQL; null with the embedded store. */
  readonly lease: LeaderLease | null;
  /** Live values to and from the other instances (DATABASE_URL with MQTT_SHARE_GROUP); null otherwise. */
  readonly liveRelay: LiveRelay | null;
  /** Late-data marks shared with the leader (DATABASE_URL); null with the embedded store. */
  readonly lateMarks: LateMarks | null;
  readonly httpAddress: { host: string; port: number };
  /** Embedded broker's bound address; null when subscribing to an external broker. */
  readonly mqttAddress: { host: string; port: number } | null;
  /** Stops taking messages, makes every accepted reading durable, closes the store. Safe to call twice. */
  stop(): Promise<void>;
}

/** Loads only the adapter in use: DuckDB's native library alone weighs tens of MB of memory. */
export async function createStore(env: EnvSettings, logger: Logger): Promise<ReadingStore> {
  if (env.INFLUX_URL) {
    const { InfluxStore, influxStoreOptionsFromEnv } = await import('./storage/influx/index.js');
    return new InfluxStore(influxStoreOptionsFromEnv(env, { logger }));
  }
  const { DuckDbStore } = await import('./storage/duckdb/duckdb-store.js');
  return new DuckDbStore({ dataDir: env.DATA_DIR, logger });
}

/** The dashboard ships beside src/ (and beside dist/src/ once compiled): walk up to find it. */
export function findDashboardDir(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (let depth = 0; depth < 4; depth += 1) {
    const candidate = join(dir, 'dashboard');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/**
 * The composition root: store -> durable writer -> MQTT ingest -> HTTP API.
 * Parts start in data-flow order, so nothing is acknowledged before the store
 * and the spool can take it, and stop in reverse order, so nothing accepted is dropped.
 */
export async function startService(deps: ServiceDeps): Promise<RunningService> {
  const { config, logger } = deps;
  let env = deps.env;
  // Published demo secrets let anyone publish as a meter: loopback only, and the log says why (issue 11).
  const brokerHost = embeddedBrokerHost(config, env);
  if (brokerHost.reason) {
    logger.warn({ devices: brokerHost.devices.slice(0, 5), count: brokerHost.devices.length, mqttHost: brokerHost.host }, brokerHost.reason);
    env = { ...env, MQTT_HOST: brokerHost.host };
  }
  const now = deps.now ?? Date.now;
  const metrics = createMetrics();
  const store = await createStore(env, logger);
  const writer = new DurableWriter({
    store,
    dataDir: env.DATA_DIR,
    logger,
    metrics,
    spoolMaxBytes: env.SPOOL_MAX_MB * 1024 * 1024,
    // A second batch forms and is sent while the first commits (DuckDB's fsync, InfluxDB's HTTP
    // round trip). DuckDB runs them in order (its SerialQueue); for InfluxDB two batches may land
    // out of order, which only matters for two different values of the same reading (a device
    // correcting itself within a second), where the later one might not win.
    maxInFlightBatches: 2,
    now,
  });
  const events = new EventBus(logger.child({ module: 'events' }));
  const energy = new EnergyAnalyticsService({ config, query: store, rollups: store, logger: logger.child({ module: 'energy' }) });
  // Cached site-years and baselines are dropped when readings they were computed from change.
  // Coalesced over a second: an invalidation per message would cost the ingest hot path.
  const storedSpans = new StoredSpanCollector((spans) => energy.invalidate(spans as Reading[]));
  events.on('readingsStored', ({ readings }) => storedSpans.add(readings));

  const { state, accountsOf } = await createStateStore(env, logger.child({ module: 'state' }));
  // Several instances on PostgreSQL: the rules, the digest and the outbox run on the leader only,
  // and write through its fence (src/cluster/leader-lease.ts). One instance: no lease at all.
  const gateParts: ServicePart[] = [];
  const gate = new LeaderGate(gateParts, logger.child({ module: 'leader' }));
  const instanceId = env.INSTANCE_ID ?? `${hostname()}-${process.pid}`;
  const lease = env.DATABASE_URL
    ? new LeaderLease({ connectionString: env.DATABASE_URL, holder: instanceId, ttlMs: env.LEADER_LEASE_TTL_S * 1000, renewEveryMs: Math.round((env.LEADER_LEASE_TTL_S * 1000) / 3), logger: logger.child({ module: 'leader' }), onAcquired: gate.onAcquired, onLost: gate.onLost })
    : null;
  // Late data stored by any instance is judged again by the leader's rules (src/cluster/late-marks.ts).
  const lateMarks = env.DATABASE_URL ? new LateMarks({ connectionString: env.DATABASE_URL, events, now, logger: logger.child({ module: 'cluster' }) }) : null;
  const leaderState = lease ? fencedState(state, lease) : state;
  const rules = deps.rules ?? loadRules({ rulesFile: env.RULES_FILE, config, registry: defaultRegistry() });
  // Templates are compiled here: a bad one stops start-up before anything connects.
  const composer = createMailComposer({ publicUrl: env.PUBLIC_URL });
  const notifier = new OutboxNotifier(composer);
  const mail = new OutboxSender({ store: leaderState, sendInsideTransaction: lease !== null, smtpUrl: env.SMTP_URL, from: env.ALERT_EMAIL_FROM, logger: logger.child({ module: 'mail' }), metrics, now, ...(deps.mail ?? {}) });
  const digest = new DigestScheduler({ store: leaderState, sites: config.sites, composer, logger: logger.child({ module: 'mail' }), now, onEnqueued: () => mail.kick() });
  const evaluator = new RuleEvaluator({ bindings: bindRules(config, rules.configured, rules.defaults), query: store, energy, state: leaderState, lifecycle: new AlertLifecycle(notifier), logger: logger.child({ module: 'rules' }), ...(deps.rulesMaxCatchUpMs !== undefined ? { maxCatchUpMs: deps.rulesMaxCatchUpMs } : {}) });
  const sitesByZone = new Map<string, Set<string>>();
  for (const site of config.sites) sitesByZone.set(site.timezone, (sitesByZone.get(site.timezone) ?? new Set()).add(site.id));
  const scheduler = new RuleScheduler({
    evaluator, sitesByZone, now, logger: logger.child({ module: 'rules' }), events, ...(lateMarks ? { lateData: lateMarks } : {}),
    // After the cycle's transaction committed: never before, or a rolled-back mail could go out.
    onCycle: () => {
      if (notifier.takeEnqueuedCount() > 0) mail.kick();
    },
  });
  const tls = env.MQTT_URL ? undefined : readTlsFiles(env);
  const ingest = new IngestService({ config, settings: env, writer, metrics, logger, now, events, ...(tls ? { tls } : {}) });
  const live = new SiteLiveHub({ events, logger: logger.child({ module: 'live' }), coalesceMs: env.LIVE_BATCH_MS });
  const liveFanout = env.LIVE_FANOUT === 'process' ? new LiveFanoutProcess({
        hub: live, sites: config.sites, logger: logger.child({ module: 'live' }),
        observe: {
          streams: (count) => metrics.liveStreams.set({ served_by: 'fanout-process' }, count),
          up: (isUp) => metrics.liveFanoutUp.set(isUp ? 1 : 0),
          restarted: () => metrics.liveFanoutRestarts.inc(),
        },
      }) : null;
  // Several instances sharing the MQTT load: each stores a share, so live values go through
  // PostgreSQL to the viewers of the others (src/cluster/live-relay.ts). One instance: its own bus.
  // What the others stored also drops this instance's cached analytics of those spans (the
  // latest value per series only: older spans of a replay refresh by the cache's own age limit),
  // and is noted by the rules as their own (late data also comes through late-marks.ts).
  const liveRelay = env.DATABASE_URL && env.MQTT_SHARE_GROUP
    ? new LiveRelay({
        connectionString: env.DATABASE_URL, instance: instanceId, events, logger: logger.child({ module: 'live' }),
        deliver: (readings) => {
          live.fileFromElsewhere(readings);
          storedSpans.add(readings);
          scheduler.noteStoredElsewhere(readings);
        },
      })
    : null;

  const parts = new PartList(logger);
  const part = (name: string, start: () => Promise<void>, stop: () => Promise<void>): ServicePart => ({ name, start, stop });

  try {
    // The store may be down at start (InfluxDB restarting): the writer spools until it is back.
    await parts.start(
      part(
        'reading-store',
        () =>
          store.start().catch((err: unknown) => {
            if (!env.INFLUX_URL) throw err;
            logger.warn({ err }, 'InfluxDB unreachable at start: readings are spooled until it answers');
          }),
        () => store.stop(),
      ),
    );
    await parts.start(part('durable-writer', () => writer.start(), () => writer.stop()));
    parts.adopt(part('stored-spans', async () => undefined, async () => storedSpans.flush()));
    // Stopped after the HTTP server and the rules (which start rollup writes) and before the
    // store: a rollup being written at a stop is kept, not cut off by the closed store. A write
    // that hangs costs at most ROLLUPS_AT_STOP_MS of the stop (a lost rollup is recomputed).
    parts.adopt(part('analytics-rollups', async () => undefined, async () => {
      if ((await settledWithin(energy.rollupsSettled(), ROLLUPS_AT_STOP_MS)) === 'timed-out') logger.warn({ waitedMs: ROLLUPS_AT_STOP_MS }, 'rollup writes still running at stop: left to be recomputed');
    }));
    await parts.start(part('state-store', () => state.start(), () => state.stop()));
    const accounts = new Accounts({
      store: accountsOf(state),
      siteIds: config.sites.map((s) => s.id),
      now,
      limits: { idleMs: env.SESSION_IDLE_MINUTES * 60_000, absoluteMs: env.SESSION_MAX_HOURS * 3_600_000 },
    });
    const boot = await bootstrapAdmin(accounts, deps.bootstrapAdmin ?? { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD, demo: env.DEMO });
    if (boot.created) logger.warn({ admin: boot.created, demo: boot.demo }, boot.demo ? 'demo admin created (published password: a demo only)' : 'first admin created from ADMIN_EMAIL; remove ADMIN_PASSWORD from the environment');
    // Before ingest, so that the first message stored already reaches a page opened early.
    await parts.start(live);
    if (liveRelay) await parts.start(liveRelay);
    // Before the HTTP server (stopped after it: the server waits for the sockets handed over).
    if (liveFanout) await parts.start(liveFanout);
    // Before ingest: stopped after it, so the last late readings stored are written.
    if (lateMarks) await parts.start(lateMarks);
    await parts.start(part('ingest', () => ingest.start(), () => ingest.stop()));
    if (lease) {
      gateParts.push(mail, digest);
      if (deps.rulesPaused) parts.adopt(scheduler);
      else gateParts.push(scheduler);
      // Stopped before the store: the gate stops the leader parts, then the lease is handed over.
      await parts.start(lease);
    } else {
      await parts.start(mail);
      await parts.start(digest);
      if (deps.rulesPaused) parts.adopt(scheduler);
      else await parts.start(scheduler);
    }
    const dashboardDir = findDashboardDir();
    const http = await buildApp({ config, store, ingest, writer, metrics, logger, now, energy, state, mail, accounts, live, ...(liveFanout ? { liveFanout } : {}), trustProxy: env.TRUST_PROXY, ...(dashboardDir ? { dashboardDir } : {}) });
    parts.adopt(part('http', async () => undefined, () => http.close()));
    await http.listen({ port: env.HTTP_PORT, host: env.HTTP_HOST });
    const bound = http.server.address();
    const httpAddress = typeof bound === 'object' && bound ? { host: bound.address, port: bound.port } : { host: env.HTTP_HOST, port: env.HTTP_PORT };
    const mqttAddress = ingest.brokerAddress();
    logger.info(
      { http: `http://${httpAddress.host}:${httpAddress.port}`, rules: `${rules.configured.length} configured (${rules.source}), ${rules.defaults.length} defaults`, mqtt: mqttAddress ? `${mqttAddress.host}:${mqttAddress.port}` : env.MQTT_URL?.replace(/\/\/[^@/]*@/, '//***@'), store: store.kind, sites: config.sites.length },
      'smart-building-energy started',
    );
    let stopping: Promise<void> | null = null;
    return {
      store,
      writer,
      ingest,
      http,
      metrics,
      events,
      live,
      state,
      evaluator,
      scheduler,
      mail,
      lease,
      liveRelay,
      lateMarks,
      httpAddress,
      mqttAddress,
      stop: () => (stopping ??= parts.stopAll().then(() => logger.info('smart-building-energy stopped'))),
    };
  } catch (err) {
    await parts.stopAll();
    throw err;
  }
}
