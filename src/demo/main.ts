/**
 * `npm run demo`: the service on the embedded defaults with a demo data directory, an SMTP
 * catcher, and the simulator (a year of history with one case of each anomaly, then live
 * readings). The composition root of the demo: it owns the order of start and of shutdown.
 *
 * It never reads config/sites.yaml nor writes ./data: the shipped example configuration is loaded
 * and given a demo recipient in memory, and everything lives in DEMO_DATA_DIR (kept, so that a
 * second start only publishes what it missed). HTTP_PORT, MQTT_PORT, ADMIN_EMAIL and
 * ADMIN_PASSWORD are honoured as by `npm start`.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import closeWithGrace from 'close-with-grace';
import { parseEnv } from '../config/env.js';
import { createLogger } from '../observability/logger.js';
import { loadRules } from '../rules/load-rules.js';
import { defaultRegistry } from '../rules/registry.js';
import { startService, type RunningService } from '../service.js';
import { startSimulator, type SimulatorRun } from '../simulator/simulator.js';
import { demoConfig, EXAMPLE_CONFIG } from './demo-config.js';
import { demoServiceEnv, parseDemoSettings } from './demo-settings.js';
import { MailCatcher } from './mail-catcher.js';
import { readMarker, writeMarker, type DemoMarker } from './marker.js';
import { catchUpRules } from './rules-catch-up.js';
import { lastPublishedMs } from './resume.js';

const DAY_MS = 86_400_000;
/** The simulator places its anomalies in the history's last 60 days (simulator.ts): judge those. */
const ANOMALY_SPAN_MS = 61 * DAY_MS;
/** A week judged per catch-up cycle; the evaluator may look back one day more, never further (the first cycle would judge weeks before the anomalies). */
const CATCH_UP_STEP_MS = 7 * DAY_MS;

async function main(): Promise<void> {
  const demo = parseDemoSettings(process.env);
  const logger = createLogger(process.env.LOG_LEVEL || 'info');
  await mkdir(demo.dataDir, { recursive: true });
  const catcher = new MailCatcher(join(demo.dataDir, 'mails'), logger.child({ module: 'demo-mail' }));
  let service: RunningService | null = null;
  let sim: SimulatorRun | null = null;
  const stopAll = async () => {
    // Reverse order of start: devices, then the service (it flushes what it accepted), then the catcher.
    for (const stop of [() => sim?.stop(), () => service?.stop(), () => catcher.stop()]) {
      try {
        await stop();
      } catch (err) {
        logger.error({ err }, 'error while stopping the demo');
      }
    }
  };
  closeWithGrace({ delay: 30_000, logger }, async ({ signal, err }) => {
    if (err) logger.fatal({ err }, 'unexpected error, stopping the demo');
    else logger.info({ signal }, 'stopping the demo');
    await stopAll();
  });

  await catcher.start();
  const config = demoConfig(process.env, demo.DEMO_RECIPIENT);
  const serviceEnv = demoServiceEnv(process.env, demo, catcher.url, EXAMPLE_CONFIG);
  const env = parseEnv(serviceEnv);
  const rules = loadRules({ config, registry: defaultRegistry(), env: serviceEnv });
  service = await startService({ config, env, logger, rules, mail: { pollIntervalMs: 2000 }, rulesMaxCatchUpMs: CATCH_UP_STEP_MS + DAY_MS, rulesPaused: true });
  // No cron cycle while the history streams in (rulesPaused): one would mark the span judged on half the data.

  const previous = readMarker(demo.dataDir);
  const marker: DemoMarker = previous ?? { version: 1, originMs: Date.now(), backfillDays: demo.DEMO_BACKFILL_DAYS, seed: demo.DEMO_SEED, ready: false, backfillSeconds: 0, injections: 0 };
  if (!previous) await writeMarker(demo.dataDir, marker);
  const skipUntilMs = previous ? await lastPublishedMs(service.store, config) : null;
  const mqtt = service.mqttAddress!;
  sim = await startSimulator({
    config,
    url: `mqtt://127.0.0.1:${mqtt.port}`,
    seed: marker.seed,
    backfillDays: marker.backfillDays,
    originMs: marker.originMs,
    ...(skipUntilMs !== null ? { skipUntilMs } : {}),
    anomalies: true,
    // The demo ends with open alerts: a stuck sensor and a silent device still at it, the night load and the heating left on just before.
    anomaliesOngoingAtEnd: true,
    clientIdPrefix: 'sbe-demo',
    log: (line) => logger.info({ module: 'simulator', ...line }, String(line.msg ?? 'simulator')),
  });
  logger.info({ devices: sim.devices, history: marker.backfillDays, resumingFrom: skipUntilMs === null ? null : new Date(skipUntilMs).toISOString() }, previous ? 'demo: publishing what was missed while stopped' : `demo: publishing ${marker.backfillDays} days of history (first start only)`);
  const report = await sim.backfillDone;

  // Judge what was just published, then hand over to the cron cycles.
  const judgeFrom = marker.ready && skipUntilMs !== null ? skipUntilMs : Math.max(marker.originMs - ANOMALY_SPAN_MS, marker.originMs - marker.backfillDays * DAY_MS);
  const caught = await catchUpRules(service.scheduler, judgeFrom, Date.now(), CATCH_UP_STEP_MS);
  await service.scheduler.start();
  service.mail.kick();
  logger.info({ days: Number(((Date.now() - judgeFrom) / DAY_MS).toFixed(1)), cycles: caught.cycles, opened: caught.opened, seconds: Number(caught.seconds.toFixed(1)) }, 'demo: history judged by the rules');
  if (!marker.ready) await writeMarker(demo.dataDir, { ...marker, ready: true, backfillSeconds: Number(report.seconds.toFixed(1)), injections: sim.injections.length });

  const url = `http://localhost:${service.httpAddress.port}`;
  process.stdout.write(`\nDémo prête / demo ready: open ${url} — login ${demo.ADMIN_EMAIL} / ${demo.ADMIN_PASSWORD} — alert e-mails in ${join(demo.dataDir, 'mails')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`the demo could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
