/**
 * Rules benchmark (issue 8), part (b): one evaluation cycle of the shipped default rules for 100
 * sites × 20 devices, each with four weeks of hourly history in the embedded DuckDB store (written
 * through the store's `write`, as ingest does), timed cold (the evaluator's first cycle) and warm
 * (the next hour's, after that hour's readings were stored and noted), with peak RSS, and the
 * longest stretch the cycle held the event loop (test/bench/loop/stretch-meter.ts): in the service
 * every PUBACK waits for it.
 *   npm run bench:rules-cycle [-- --sites 100] [--no-cache] [--json out.json]
 * Target: a cycle under 1 s. "cpu" is the process time of the cycle (user + system, DuckDB threads
 * included): on a loaded machine the wall clock mostly says how long the cycle waited for a core.
 * Per site: 2 electricity meters (energy_kwh, power_w), 1 gas meter, 16 multi-sensors
 * (temperature, CO2, humidity, occupancy), 1 weather station.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AlertLifecycle } from '../../src/alerts/lifecycle.js';
import { configSchema } from '../../src/config/schema.js';
import type { Reading } from '../../src/model/reading.js';
import { RuleEvaluator, type EvaluationSummary } from '../../src/rules/evaluator.js';
import { loadRules } from '../../src/rules/load-rules.js';
import { defaultRegistry } from '../../src/rules/registry.js';
import type { Cadence } from '../../src/rules/rule-type.js';
import { bindRules } from '../../src/rules/subjects.js';
import { DuckDbStore } from '../../src/storage/duckdb/duckdb-store.js';
import { SqliteStateStore } from '../../src/storage/state/sqlite-state-store.js';
import { createTempDir } from '../helpers/tmp.js';
import { machineLoad } from './rules/machine.js';
import { describeStretches } from './loop/stretches.js';
import { startStretchMeter } from './loop/stretch-meter.js';

const { values: args } = parseArgs({ options: { sites: { type: 'string', default: '100' }, 'no-cache': { type: 'boolean', default: false }, json: { type: 'string' } } });
const siteCount = Number(args.sites);
const H = 3_600_000;
const WEEKS = 4;
// Monday 2026-11-02 00:00 UTC + four weeks: the cycles run at 2 min past the hour, as the scheduler does.
const T0 = Date.UTC(2026, 10, 2);
const END = T0 + WEEKS * 168 * H;

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);
const vmHwmMB = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
const mb = (b: number) => (b / 1024 / 1024).toFixed(0);

const multi = Array.from({ length: 16 }, (_, i) => ({ id: `room${i}`, kind: 'multi-sensor', quantities: ['temperature_c', 'co2_ppm', 'humidity_pct', 'occupancy'], secret: 'bench-secret' }));
const config = configSchema.parse({
  sites: Array.from({ length: siteCount }, (_, s) => ({
    id: `s${String(s).padStart(3, '0')}`, name: `Site ${s}`, usage: 'office', floorAreaM2: 1000 + s, timezone: 'Europe/Paris', country: 'FR',
    devices: [
      { id: 'main', kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], secret: 'bench-secret' },
      { id: 'hvac', kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], secret: 'bench-secret', submeterOf: 'main' },
      { id: 'gas', kind: 'gas-meter', quantities: ['gas_m3'], secret: 'bench-secret' },
      ...multi,
      { id: 'weather', kind: 'weather-station', quantities: ['temperature_c'], secret: 'bench-secret' },
    ],
  })),
});

/** Readings of every series at hour t (deterministic; an office profile with some noise). */
function hourReadings(t: number, index: Map<string, number>): Reading[] {
  const out: Reading[] = [];
  const d = new Date(t);
  const open = d.getUTCDay() % 6 !== 0 && d.getUTCHours() >= 7 && d.getUTCHours() < 17;
  for (const site of config.sites) {
    const noise = ((t / H) * 7919 + site.floorAreaM2) % 13;
    for (const device of site.devices) {
      for (const quantity of device.quantities) {
        const k = `${site.id}/${device.id}/${quantity}`;
        let value: number;
        if (quantity === 'energy_kwh' || quantity === 'gas_m3') {
          const used = quantity === 'gas_m3' ? 3 + noise / 4 : (open ? 40 : 12) + noise / (device.id === 'main' ? 1 : 3);
          value = (index.get(k) ?? 1000) + used;
          index.set(k, value);
        } else if (quantity === 'power_w') value = ((open ? 40 : 12) + noise) * 1000;
        else if (quantity === 'co2_ppm') value = open ? 700 + noise * 20 : 450;
        else if (quantity === 'occupancy') value = open ? Math.round(noise) : 0;
        else if (quantity === 'humidity_pct') value = 45 + noise;
        else value = device.kind === 'weather-station' ? 8 + noise / 2 : 20 + noise / 10;
        out.push({ site: site.id, device: device.id, quantity, tsMs: t, value: Math.round(value * 1000) / 1000 });
      }
    }
  }
  return out;
}

const dir = await createTempDir('sbe-bench-cycle-');
const store = new DuckDbStore({ dataDir: dir.path });
const state = new SqliteStateStore({ dataDir: ':memory:' });
try {
  console.log(`Machine at start: ${machineLoad()}`);
  await store.start();
  await state.start();
  const index = new Map<string, number>();
  const writeStart = performance.now();
  let written = 0;
  let batch: Reading[] = [];
  for (let t = T0; t <= END; t += H) {
    batch.push(...hourReadings(t, index));
    if (batch.length >= 50_000 || t === END) {
      await store.write(batch);
      written += batch.length;
      batch = [];
    }
  }
  console.log(`History: ${siteCount} sites × 20 devices, ${WEEKS} weeks hourly: ${written} readings written in ${((performance.now() - writeStart) / 1000).toFixed(1)} s`);

  const rules = loadRules({ config, registry: defaultRegistry(), env: {} });
  const bindings = bindRules(config, rules.configured, rules.defaults);
  // Store calls per cycle, by method: what a cycle costs the database.
  const calls = new Map<string, number>();
  const counted = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...a: unknown[]) => {
        calls.set(String(prop), (calls.get(String(prop)) ?? 0) + 1);
        return (value as (...x: unknown[]) => unknown).apply(target, a);
      };
    },
  });
  const evaluator = new RuleEvaluator({ bindings, query: counted, state, lifecycle: new AlertLifecycle(), ...(args['no-cache'] ? { seriesCache: false } : {}) });
  const byRule = new Map<string, number>();
  for (const b of bindings) byRule.set(b.rule.id, (byRule.get(b.rule.id) ?? 0) + 1);
  console.log(`Bindings: ${bindings.length} (hourly ${evaluator.bindings('hourly').length}, minute ${evaluator.bindings('minute').length}): ${[...byRule].map(([r, n]) => `${r} ${n}`).join(', ')}; series cache ${args['no-cache'] ? 'off' : 'on'}`);

  const figures: Record<string, { ms: number; cpuMs: number; bindings: number; judgements: number; failures: number; opened: number }> = {};
  const cycle = async (label: string, nowMs: number, cadence: Cadence) => {
    calls.clear();
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const meter = startStretchMeter();
    const s: EvaluationSummary = await evaluator.evaluate(nowMs, cadence);
    const stretches = meter.stop();
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    figures[label] = { ms, cpuMs, bindings: s.bindings, judgements: s.judgements, failures: s.failures, opened: s.outcome.opened.length };
    console.log(`  ${label.padEnd(14)} ${ms.toFixed(0).padStart(6)} ms (cpu ${cpuMs.toFixed(0)} ms)  ${s.bindings} bindings, ${s.judgements} judgements, ${s.failures} failures, ${s.outcome.opened.length} opened; rss ${mb(process.memoryUsage().rss)} MB; store calls ${[...calls].map(([m, n]) => `${m} ${n}`).join(', ') || 'none'}; event loop: ${describeStretches(stretches)}`);
  };
  const rssBeforeCycles = process.memoryUsage().rss;
  const peakBeforeCycles = peakRss;
  peakRss = rssBeforeCycles;
  console.log(`Cycles (rss before ${mb(rssBeforeCycles)} MB; peak while writing the history ${mb(peakBeforeCycles)} MB):`);
  await cycle('hourly cold', END + 2 * 60_000, 'hourly');
  await cycle('minute cold', END + 2 * 60_000, 'minute');
  // The next hour arrives (ingest writes it and tells the evaluator), then the next hour's cycles.
  const next = hourReadings(END + H, index);
  await store.write(next);
  evaluator.noteStored(next);
  await cycle('minute warm', END + H + 60_000, 'minute');
  await cycle('hourly warm', END + H + 2 * 60_000, 'hourly');
  const next2 = hourReadings(END + 2 * H, index);
  await store.write(next2);
  evaluator.noteStored(next2);
  await cycle('hourly warm 2', END + 2 * H + 2 * 60_000, 'hourly');
  clearInterval(sampler);
  console.log(`Peak RSS during the cycles ${mb(peakRss)} MB (sampled every 10 ms); VmHWM of the whole run ${vmHwmMB().toFixed(0)} MB (includes the history write)`);
  console.log(`Machine at end: ${machineLoad()}`);
  if (args.json) await writeFile(args.json, JSON.stringify({ sites: siteCount, readings: written, bindings: bindings.length, cache: !args['no-cache'], figures, peakRssCyclesMB: peakRss / 1024 / 1024, rssBeforeCyclesMB: rssBeforeCycles / 1024 / 1024, vmHwmMB: vmHwmMB() }, null, 2));
} finally {
  clearInterval(sampler);
  await state.stop();
  await store.stop();
  await dir.remove();
}
