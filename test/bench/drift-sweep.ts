/**
 * The calibration of `daily-drift` (src/rules/detectors/calibrated-defaults.ts, energy-slow-drift):
 * the detector alone, called day by day as a live evaluation, on
 * - the simulator's four example sites, a year each of the main meter's hourly electricity from
 *   the site model (the mean of its four quarter-hour powers), clean, then with the simulator's slow
 *   drift (always-on load +30 % over `--ramp` days) started in February, April, June, September and
 *   November: the signals on the clean year, and how many days into each drift it is caught;
 * - the six LEAD buildings (`--data`, read at run time): signals, and those touching a labelled day.
 *   npx tsx test/bench/drift-sweep.ts [--data ../shared/data] [--ramp 10.5] '{"decisionSigma":5}' '{"hours":"all"}' …
 * Each JSON argument is a set of params over the shipped defaults (none: the defaults alone).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { demoConfig } from '../../src/demo/demo-config.js';
import { siteCalendar } from '../../src/energy/calendar.js';
import { DEFAULT_ENERGY_RULES } from '../../src/rules/detectors/calibrated-defaults.js';
import { dailyDrift, type DailyDriftParams } from '../../src/rules/detectors/daily-drift.js';
import type { HourlySeries, Judgement } from '../../src/rules/judgement.js';
import type { Injection } from '../../src/simulator/anomaly-kinds.js';
import { SiteModel } from '../../src/simulator/site-model.js';
import { loadLabelledBuildings } from './rules/lead-data.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const DRIFT_STARTS = ['2026-02-02T11:00:00Z', '2026-04-13T11:00:00Z', '2026-06-08T11:00:00Z', '2026-09-14T11:00:00Z', '2026-11-17T12:00:00Z'];

const { values: args, positionals } = parseArgs({ allowPositionals: true, options: { data: { type: 'string', default: '../shared/data' }, ramp: { type: 'string', default: '10.5' } } });
const rampDays = Number(args.ramp);
const shipped = DEFAULT_ENERGY_RULES.find((r) => r.type === 'daily-drift')!.params;

function judgeDaily(series: HourlySeries, p: DailyDriftParams, from: number, to: number): Judgement[] {
  const out: Judgement[] = [];
  for (let a = from; a < to; a += 24) {
    const b = Math.min(a + 24, to);
    out.push(...dailyDrift.detect({ ...series, values: series.values.subarray(0, b) }, p, a, b).filter((j) => j.trigger));
  }
  return out;
}

const config = demoConfig({}, 'bench@demo.invalid');
const endMs = Date.parse('2026-12-01T00:00:00Z');
const startMs = endMs - 365 * DAY_MS;
const cache = new Map<string, HourlySeries>();
function siteSeries(siteId: string, injections: Injection[]): HourlySeries {
  const key = `${siteId} ${injections.map((i) => i.fromMs).join()}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const site = config.sites.find((s) => s.id === siteId)!;
  const model = new SiteModel(site, 1, injections);
  const values = new Float64Array((endMs - startMs) / HOUR_MS);
  for (let i = 0; i < values.length; i++) {
    let w = 0;
    for (let q = 0; q < 4; q++) w += model.conditions(startMs + i * HOUR_MS + q * 900_000 + 450_000).electricW;
    values[i] = w / 4 / 1000;
  }
  const series = { startMs, values, unit: 'kWh', timezone: site.timezone, calendar: siteCalendar(site) };
  cache.set(key, series);
  return series;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const leads = loadLabelledBuildings(resolve(args.data!));
for (const arg of positionals.length > 0 ? positionals : ['{}']) {
  const p = dailyDrift.params.parse({ ...shipped, ...(JSON.parse(arg) as object) });
  let clean = 0;
  for (const site of config.sites) {
    const cleanHits = judgeDaily(siteSeries(site.id, []), p, 8 * 168, (endMs - startMs) / HOUR_MS);
    clean += cleanHits.length;
    const delays = DRIFT_STARTS.map((iso) => {
      const fromMs = Date.parse(iso);
      const drift: Injection = { what: 'slow-drift', site: site.id, device: 'tgbt', fromMs, toMs: fromMs + rampDays * DAY_MS, detail: '' };
      const s = siteSeries(site.id, [drift]);
      const hits = judgeDaily(s, p, Math.floor((fromMs - startMs) / HOUR_MS) - 24, s.values.length).filter((j) => j.startMs >= fromMs - DAY_MS && j.startMs < fromMs + 40 * DAY_MS);
      return hits.length > 0 ? `${((hits[0]!.startMs - fromMs) / DAY_MS).toFixed(1)} d` : 'missed';
    });
    console.log(`  ${site.id.padEnd(22)} clean signals ${cleanHits.length} [${cleanHits.map((j) => day(j.startMs)).join(' ')}]  drift caught ${delays.join(', ')}`);
  }
  let signals = 0;
  let onLabels = 0;
  for (const b of leads) {
    const hits = judgeDaily(b.series, p, 0, b.series.values.length);
    const labelled = hits.filter((j) => {
      const i = (j.startMs - b.series.startMs) / HOUR_MS;
      return b.labels.subarray(i, i + 24).includes(1);
    });
    signals += hits.length;
    onLabels += labelled.length;
    console.log(`  LEAD ${b.id.padEnd(5)} signals ${hits.length} (on a labelled day ${labelled.length}) [${hits.map((j) => day(j.startMs)).join(' ')}]`);
  }
  const months = leads.length * 12;
  console.log(`params ${arg} (ramp ${rampDays} d): simulator clean signals ${clean} in ${config.sites.length} site-years; LEAD ${signals} signals, ${(signals / months).toFixed(2)} per building-month, ${onLabels} on a labelled day`);
}
