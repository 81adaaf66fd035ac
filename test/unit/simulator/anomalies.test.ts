import { beforeAll, describe, expect, it } from 'vitest';
import { PayloadDecoder } from '../../../src/ingest/decoder.js';
import { ANOMALY_KINDS, injectionLogLine, type Injection } from '../../../src/simulator/anomaly-kinds.js';
import { planAnomalies } from '../../../src/simulator/anomaly-plan.js';
import { encodeHistoryPack, encodeReadings } from '../../../src/simulator/payloads.js';
import { Rng } from '../../../src/simulator/random.js';
import { SiteModel } from '../../../src/simulator/site-model.js';
import { FOUR_USAGES, simulate, type Series } from './simulated-year.js';

const FROM = Date.UTC(2024, 0, 8);
const TO = Date.UTC(2024, 2, 8);
const STEP = 900_000;
let injections: Injection[];
let data: Map<string, Series>;
let clean: Map<string, Series>;

const of = (what: string) => injections.find((i) => i.what === what)!;
const valuesBetween = (s: Series, q: string, a: number, b: number) => s.values.get(q as never)!.filter((_, k) => s.tsMs[k]! >= a && s.tsMs[k]! < b);
const energyBetween = (s: Series, q: string, a: number, b: number) => {
  const v = valuesBetween(s, q, a, b + 1);
  return v.at(-1)! - v[0]!;
};

beforeAll(() => {
  const models = FOUR_USAGES.sites.map((s) => new SiteModel(s, 1, []));
  injections = planAnomalies(models, FROM, TO, new Rng(42)).injections;
  data = simulate(FOUR_USAGES, FROM, TO, STEP, 1, injections);
  clean = simulate(FOUR_USAGES, FROM, TO, STEP, 1, []);
}, 60_000);

describe('anomaly plan', () => {
  it('places one of each kind inside the window, on devices of several sites', () => {
    expect(injections.map((i) => i.what).sort()).toEqual([...ANOMALY_KINDS].sort());
    for (const i of injections) {
      expect(i.fromMs).toBeGreaterThanOrEqual(FROM);
      expect(i.toMs).toBeLessThanOrEqual(TO);
    }
    expect(new Set(injections.map((i) => i.site)).size).toBeGreaterThanOrEqual(3);
  });

  it('logs an injection as what, device, from and to', () => {
    const line = injectionLogLine(of('silent-device'));
    expect(Object.keys(line)).toEqual(['msg', 'what', 'device', 'from', 'to', 'detail']);
    expect(line.device).toBe(`${of('silent-device').site}/${of('silent-device').device}`);
    expect(Date.parse(line.to!) - Date.parse(line.from!)).toBe(3 * 3_600_000);
  });
});

describe('anomaly effects on the published data', () => {
  it('silent device: no reading in its window, readings before and after', () => {
    const i = of('silent-device');
    const s = data.get(`${i.site}/${i.device}`)!;
    expect(s.tsMs.filter((t) => t >= i.fromMs && t < i.toMs)).toEqual([]);
    expect(s.tsMs.some((t) => t >= i.toMs)).toBe(true);
  });

  it('stuck sensor: the same values for 24 h, where the clean run varies', () => {
    const i = of('stuck-sensor');
    const key = `${i.site}/${i.device}`;
    const stuck = valuesBetween(data.get(key)!, 'temperature_c', i.fromMs, i.toMs);
    expect(stuck.length).toBe(96);
    expect(new Set(stuck).size).toBe(1);
    const co2 = valuesBetween(clean.get(key)!, 'co2_ppm', i.fromMs, i.toMs);
    expect(new Set(co2).size).toBeGreaterThan(5);
  });

  it('meter reset: the index falls below 10 % of the previous one, then grows from there', () => {
    const i = of('meter-reset');
    const s = data.get(`${i.site}/${i.device}`)!;
    const k = s.tsMs.findIndex((t) => t >= i.fromMs);
    const v = s.values.get('energy_kwh')!;
    expect(v[k]!).toBeLessThan(0.1 * v[k - 1]!);
    expect(v[k + 4]!).toBeGreaterThan(v[k]!);
  });

  it('spike: one index step implies far more than maxPowerW, the next reading is back on the curve', () => {
    const i = of('spike');
    const device = FOUR_USAGES.sites.find((s) => s.id === i.site)!.devices.find((d) => d.id === i.device)!;
    const s = data.get(`${i.site}/${i.device}`)!;
    const k = s.tsMs.findIndex((t) => t >= i.fromMs);
    const v = s.values.get('energy_kwh')!;
    expect(v[k]! - v[k - 1]!).toBeGreaterThan(((device.maxPowerW! / 1000) * STEP) / 3_600_000);
    expect(v[k + 1]! - v[k - 1]!).toBeLessThan(((device.maxPowerW! / 1000) * 2 * STEP) / 3_600_000);
  });

  it('heating left on over a weekend: far more heating than the clean run', () => {
    const i = of('heating-weekend');
    const q = i.device === 'gaz' ? 'gas_m3' : i.device === 'chaufferie' ? 'heat_kwh' : 'energy_kwh';
    const key = `${i.site}/${i.device}`;
    expect(energyBetween(data.get(key)!, q, i.fromMs, i.toMs)).toBeGreaterThan(1.3 * energyBetween(clean.get(key)!, q, i.fromMs, i.toMs));
  });

  it('night load: the night uses more than the clean run; slow drift: the base load ends 30 % up', () => {
    const n = of('night-load');
    const nKey = `${n.site}/${n.device}`;
    expect(energyBetween(data.get(nKey)!, 'energy_kwh', n.fromMs, n.toMs)).toBeGreaterThan(1.5 * energyBetween(clean.get(nKey)!, 'energy_kwh', n.fromMs, n.toMs));
    const d = of('slow-drift');
    const dKey = `${d.site}/${d.device}`;
    const after = energyBetween(data.get(dKey)!, 'energy_kwh', d.toMs - 86_400_000, d.toMs);
    const before = energyBetween(clean.get(dKey)!, 'energy_kwh', d.toMs - 86_400_000, d.toMs);
    expect(after / before).toBeGreaterThan(1.05);
  });
});

describe('anomaly plan of the demo (ongoingAtEnd)', () => {
  it('keeps the stuck sensor and the silent device going past the end, and puts the night load and the heating left on last', () => {
    const models = FOUR_USAGES.sites.map((s) => new SiteModel(s, 1, []));
    const plan = planAnomalies(models, FROM, TO, new Rng(42), { ongoingAtEnd: true });
    const at = (what: string) => plan.injections.find((i) => i.what === what)!;
    expect(plan.injections.map((i) => i.what).sort()).toEqual([...ANOMALY_KINDS].sort());
    for (const what of ['stuck-sensor', 'silent-device']) {
      expect(at(what).fromMs, what).toBeLessThan(TO);
      expect(at(what).toMs, what).toBeGreaterThan(TO);
    }
    // Stuck 18 h before the end: the flatline rule's 12 unchanged hours and its hour of `for` fit.
    expect(TO - at('stuck-sensor').fromMs).toBeGreaterThanOrEqual(14 * 3_600_000);
    const usual = planAnomalies(models, FROM, TO, new Rng(42));
    const usualAt = (what: string) => usual.injections.find((i) => i.what === what)!;
    // The last working night (a weekend and a holiday at most after it), the coldest of the last three weekends.
    for (const [what, days] of [['night-load', 4], ['heating-weekend', 21]] as const) {
      expect(at(what).toMs, what).toBeLessThanOrEqual(TO);
      expect(TO - at(what).toMs, what).toBeLessThan(days * 86_400_000);
      expect(at(what).fromMs, what).toBeGreaterThanOrEqual(usualAt(what).fromMs);
    }
    for (const i of usual.injections) expect(i.toMs, i.what).toBeLessThanOrEqual(TO);
  });
});

describe('payloads', () => {
  it('JSON, SenML and plain messages decode, through the service decoder, to the values sent', () => {
    const decoder = new PayloadDecoder(FOUR_USAGES);
    const nowMs = Date.UTC(2026, 0, 5, 12);
    const values = { energy_kwh: 18234.612, power_w: 5120 };
    for (const format of ['json', 'senml', 'plain'] as const) {
      const messages = encodeReadings('bureaux', 'tgbt', format, nowMs - 60_000, values, format !== 'plain');
      const readings = messages.flatMap((m) => {
        const r = decoder.decode(m.topic, Buffer.from(m.payload), nowMs);
        expect(r.rejections, `${format}: ${JSON.stringify(r.rejections)}`).toEqual([]);
        return r.readings;
      });
      const byQuantity = Object.fromEntries(readings.map((r) => [r.quantity, r.value]));
      expect(byQuantity, format).toEqual(values);
      expect(readings.every((r) => r.tsMs === (format === 'plain' ? nowMs : nowMs - 60_000)), format).toBe(true);
    }
    const gas = encodeReadings('bureaux', 'gaz', 'senml', nowMs, { gas_m3: 1234.56 }, true);
    expect(decoder.decode(gas[0]!.topic, Buffer.from(gas[0]!.payload), nowMs).readings.map((r) => [r.quantity, r.value])).toEqual([['gas_m3', 1234.56]]);
  });

  it('a history pack (the backfill shape) decodes, through the service decoder, to every step and value sent', () => {
    const decoder = new PayloadDecoder(FOUR_USAGES);
    const nowMs = Date.UTC(2026, 0, 5, 12);
    const steps = [0, 1, 2].map((k) => ({ tsMs: nowMs - (3 - k) * 900_000, values: { energy_kwh: 18234.612 + k * 1.25, power_w: 5120 + k } }));
    const pack = encodeHistoryPack('bureaux', 'tgbt', steps);
    const r = decoder.decode(pack.topic, Buffer.from(pack.payload), nowMs);
    expect(r.rejections).toEqual([]);
    expect(r.readings.map((x) => [x.tsMs, x.quantity, x.value, x.tsFromServer === true])).toEqual(steps.flatMap((s) => [[s.tsMs, 'energy_kwh', s.values.energy_kwh, false], [s.tsMs, 'power_w', s.values.power_w, false]]));
    expect(() => encodeHistoryPack('bureaux', 'tgbt', [{ tsMs: nowMs, values: { power_w: Number.NaN } }])).toThrow(/bureaux\/tgbt power_w: value NaN .* not a finite number/);
  });
});
