import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env.js';
import { createLogger } from '../../src/observability/logger.js';
import { runBacktest, type BacktestAlert } from '../../src/rules/backtest.js';
import { loadRules } from '../../src/rules/load-rules.js';
import { defaultRegistry } from '../../src/rules/registry.js';
import { startService, type RunningService } from '../../src/service.js';
import { demoConfig } from '../../src/demo/demo-config.js';
import type { Injection } from '../../src/simulator/anomaly-kinds.js';
import { startSimulator } from '../../src/simulator/simulator.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';

/**
 * Issue 12 point 5: the demo's simulated history, anomalies included, judged by the shipped
 * default rules (runBacktest, the live evaluator on a fake clock). Eight weeks of history; the
 * anomalies go in the last three and only those are judged, so the hourly detectors have five
 * weeks of reference before them (as in the demo's year) and the test stays short (about 20 s at
 * load 7). Each injection must be overlapped by an alert on its device (or a sub-meter of it);
 * the false alerts per site-month are printed and bounded.
 */
const DAY_MS = 86_400_000;
const HISTORY_DAYS = 56;
/** The anomalies go in the last three weeks, and only those are judged: the weeks before are the detectors' reference. */
const JUDGED_DAYS = 21;
/** Kinds no shipped default rule catches today (see the report printed below); the test says when that changes. */
const KNOWN_MISSES = new Set<string>([]);
/** An alert starts up to a rule's `for` after its injection began, and may outlast it by its `clearFor`. */
const SLACK_MS = 6 * 3_600_000;
/** The drift's `toMs` is the end of its ramp: the extra load then stays, to the end of the history. */
const lastsUntil = (i: Injection) => (i.what === 'slow-drift' ? toMs : i.toMs);

let dir: TempDir;
let service: RunningService;
let injections: readonly Injection[] = [];
const alerts: BacktestAlert[] = [];
const config = demoConfig({}, 'responsable@demo.invalid');
let judgedFromMs = 0;
let toMs = 0;

/** The injected device, or one of its sub-meters: a load added behind the main meter flows through them too. */
const onDevice = (a: BacktestAlert, i: Injection) =>
  a.site === i.site && (a.device === i.device || config.sites.find((s) => s.id === i.site)?.devices.find((d) => d.id === a.device)?.submeterOf === i.device);
const overlaps = (a: BacktestAlert, i: Injection) => onDevice(a, i) && Date.parse(a.start) <= lastsUntil(i) + SLACK_MS && (a.end === null || Date.parse(a.end) >= i.fromMs);

beforeAll(async () => {
  dir = await createTempDir('sbe-demo-backtest-');
  const env = parseEnv({ DATA_DIR: join(dir.path, 'data'), HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', MQTT_PORT: '0', MQTT_HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
  const rules = loadRules({ config, registry: defaultRegistry() });
  service = await startService({ config, env, logger: createLogger('warn'), rules, rulesPaused: true, bootstrapAdmin: { demo: true } });
  const now = Date.now();
  toMs = Math.floor(now / 900_000) * 900_000;
  judgedFromMs = toMs - JUDGED_DAYS * DAY_MS;
  const run = await startSimulator({ config, url: `mqtt://127.0.0.1:${service.mqttAddress!.port}`, backfillDays: HISTORY_DAYS, anomalies: true, anomalyWindow: { fromMs: judgedFromMs, toMs }, live: false, seed: 1, clientIdPrefix: 'demo-bt', now: () => now });
  await run.backfillDone;
  injections = run.injections;
  await run.stop();
  const published = Date.now();
  for (const site of config.sites) {
    // A week per step, as the demo judges its history (src/demo/rules-catch-up.ts): the rule types are causal.
    const result = await runBacktest({ config, rules, query: service.store, site: site.id, fromMs: judgedFromMs, toMs, stepMs: 7 * DAY_MS });
    expect(result.failures).toBe(0);
    alerts.push(...result.alerts);
  }
  console.log(`history published in ${((published - now) / 1000).toFixed(1)} s, judged in ${((Date.now() - published) / 1000).toFixed(1)} s`);
}, 600_000);

afterAll(async () => {
  await service?.stop();
  await dir?.remove();
});

describe('the demo history through the shipped default rules', () => {
  it('finds every injected anomaly with an alert overlapping it', () => {
    const report = injections.map((i) => ({ what: i.what, device: `${i.site}/${i.device}`, from: new Date(i.fromMs).toISOString(), alerts: alerts.filter((a) => overlaps(a, i)).map((a) => `${a.device}:${a.rule}`) }));
    console.log(`injections and the alerts overlapping them:\n${report.map((r) => `  ${r.what.padEnd(16)} ${r.device.padEnd(30)} ${r.from}  ${r.alerts.join(', ') || 'NONE'}`).join('\n')}`);
    expect(injections.length).toBe(7);
    // The drift is one event: one alert (energy-slow-drift) on the day its CUSUM crosses h.
    const drift = injections.find((i) => i.what === 'slow-drift')!;
    const driftAlerts = alerts.filter((a) => overlaps(a, drift) && a.rule === 'energy-slow-drift');
    console.log(`slow drift from ${new Date(drift.fromMs).toISOString()}: caught ${driftAlerts.map((a) => `${((Date.parse(a.start) - drift.fromMs) / DAY_MS).toFixed(1)} days in`).join(', ') || 'never'}`);
    expect(driftAlerts).toHaveLength(1);
    for (const r of report) {
      if (KNOWN_MISSES.has(r.what)) expect(r.alerts, `${r.what} is caught now: drop it from KNOWN_MISSES`).toEqual([]);
      else expect(r.alerts, `${r.what} on ${r.device}`).not.toEqual([]);
    }
  });

  it('reports the false alerts per site-month', () => {
    const months = (toMs - judgedFromMs) / (30 * DAY_MS);
    const lines: string[] = [];
    let worst = 0;
    for (const site of config.sites) {
      const own = alerts.filter((a) => a.site === site.id && !injections.some((i) => overlaps(a, i)));
      const byRule = new Map<string, number>();
      for (const a of own) byRule.set(`${a.device}:${a.rule}`, (byRule.get(`${a.device}:${a.rule}`) ?? 0) + 1);
      const rate = own.length / months;
      worst = Math.max(worst, rate);
      lines.push(`  ${site.id.padEnd(24)} ${rate.toFixed(1).padStart(6)} per month  (${[...byRule].map(([r, n]) => `${r} ${n}`).join(', ')})`);
    }
    console.log(`false alerts per site-month over the last ${JUDGED_DAYS} days:\n${lines.join('\n')}`);
    // What remains (seed 1, November): the 11 November holiday read as a collapsed working day by
    // energy-below-baseline and energy-spike-drop (1–5 per site), and spike-drop on the first cold
    // mornings of weather-driven gas, heat and electric-heating meters (the energy rules are
    // calibrated on electricity, LEAD). 20–49 per site-month before the simulated buildings were
    // made normal (CO2 every school day, 13 °C by the dock, nights heated with the weather).
    expect(worst).toBeLessThan(15);
  });
});
