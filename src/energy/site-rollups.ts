import type { SiteConfig } from '../config/schema.js';
import type { ReadingQuery } from '../storage/port.js';
import type { Correction } from './counters.js';
import { dailyTemperatures, type DailyTemperature } from './degree-days.js';
import type { IntervalSeries } from './intervals.js';
import { HOUR_MS, type LocalDay } from './local-time.js';
import { decodeRollup, encodeRollup } from './rollup-codec.js';
import { dayMarks, type ComputedSpan, type DayRollups, type MarkQuery, type SpanCheck } from './rollups.js';
import { INDEX_LOOKAHEAD_MS, loadOutdoorTemperature, rawMeterSeries, type MeterSeries, type MeterSeriesLoader } from './site-data.js';

/** Hourly slots of one day of a meter's series: values, covered ms, estimated ms. */
export interface MeterDay {
  v: Float64Array;
  c: Float64Array;
  e: Float64Array;
}

/**
 * A meter day as stored: each array as its IEEE 754 doubles (little-endian, base64), so it reads
 * back bit for bit, and the covered and estimated slots left out when they are the usual (every
 * slot covered, none estimated): `V`, or `V,C,E` with C or E empty when usual (base64 has no
 * comma). A third of the JSON of the numbers' decimal spelling, which a cold comparison read 20
 * site-years of (InfluxDB answers in JSON, 2026-12-01), no parsing of decimals, and no JSON
 * around it whose quotes InfluxDB's answer escapes (r8; r7 wrapped it in `{"v":…}`).
 */
export function encodeMeterDay(d: MeterDay): string {
  const full = d.c.every((c) => c === HOUR_MS);
  const none = d.e.every((e) => e === 0);
  const v = doublesToBase64(d.v);
  return full && none ? v : `${v},${full ? '' : doublesToBase64(d.c)},${none ? '' : doublesToBase64(d.e)}`;
}

export function decodeMeterDay(text: string): MeterDay {
  const [vText, cText, eText, ...rest] = text.split(',');
  if (rest.length > 0 || (cText === undefined) !== (eText === undefined)) throw new Error(`a stored meter day of ${text.split(',').length} fields`);
  const v = base64ToDoubles(vText!);
  return { v, c: cText ? base64ToDoubles(cText) : new Float64Array(v.length).fill(HOUR_MS), e: eText ? base64ToDoubles(eText) : new Float64Array(v.length) };
}

/**
 * A day's outdoor temperatures as stored: what the day's readings gave, in order, as a JSON
 * array (its numbers read back exactly, rollup-codec.ts); the day's date, bounds and hours come
 * from the span's days, which the rollup's name fixes, and `sufficient` from `reason`. A fifth of
 * the object's JSON (180 characters a day), which a cold comparison read 20 site-years of (r8).
 */
export function encodeTemperatureDay(t: DailyTemperature): string {
  const fields: unknown[] = [t.tMinC, t.tMaxC, t.tMeanC, t.readings, t.hoursWithData];
  if (t.reason !== undefined) fields.push(t.reason);
  return encodeRollup(fields);
}

export function decodeTemperatureDay(text: string, day: LocalDay): DailyTemperature {
  const f = decodeRollup<unknown[]>(text);
  if (!Array.isArray(f) || f.length < 5 || f.length > 6 || f.slice(0, 5).some((x) => typeof x !== 'number') || (f.length === 6 && typeof f[5] !== 'string')) throw new Error(`a stored temperature day of ${day.date} is not [tMinC, tMaxC, tMeanC, readings, hoursWithData, reason?]`);
  const [tMinC, tMaxC, tMeanC, readings, hoursWithData] = f as number[];
  const reason = f[5] as string | undefined;
  // The properties in the order dailyTemperatures gives them (degree-days.ts), so that the object is the same.
  return { date: day.date, startMs: day.startMs, endMs: day.endMs, hours: day.hours, tMinC: tMinC!, tMaxC: tMaxC!, tMeanC: tMeanC!, readings: readings!, hoursWithData: hoursWithData!, sufficient: reason === undefined, ...(reason !== undefined ? { reason } : {}) };
}

function doublesToBase64(values: Float64Array): string {
  const bytes = Buffer.alloc(values.length * 8);
  for (let i = 0; i < values.length; i++) bytes.writeDoubleLE(values[i]!, i * 8);
  return bytes.toString('base64');
}

function base64ToDoubles(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 8 !== 0) throw new Error(`a stored meter day of ${bytes.length} bytes is not a list of doubles`);
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readDoubleLE(i * 8);
  return out;
}

/** How far before and after a span a power meter's readings are read (site-data.ts meterSteps: 2 h). */
const POWER_MARGIN_MS = 2 * HOUR_MS;

/**
 * The spans the site-data cache reads (a meter's consumption, the outdoor temperatures of a
 * span of local days) served from the store's rollups (rollups.ts) when their marks still hold,
 * computed from the raw readings and kept otherwise. The figures are the very ones the raw path
 * gives: a rollup is the raw computation, split by day and read back exactly (rollup-codec.ts).
 */
export class SiteRollups {
  constructor(
    private readonly query: ReadingQuery,
    private readonly marks: MarkQuery,
    private readonly rollups: DayRollups,
  ) {}

  /** A loader for loadSiteConsumption that goes through the rollups. */
  meterLoader(site: SiteConfig): MeterSeriesLoader {
    const raw = rawMeterSeries(this.query, site.id);
    return async (meter, days, hourEdges) => {
      const first = days[0]!;
      const last = days[days.length - 1]!;
      const name = `c|${meter.device}|${meter.quantity}|${meter.integrated ? 'power' : 'index'}|${first.date}|${last.date}`;
      const series = { site: site.id, device: meter.device, quantity: meter.quantity };
      // The readings meterSteps reads: the span and its margin, plus the index before the span.
      const [fromMs, toMs] = meter.integrated ? [first.startMs - POWER_MARGIN_MS, last.endMs + POWER_MARGIN_MS] : [first.startMs, last.endMs + INDEX_LOOKAHEAD_MS];
      // The index before the span is read once, for both checks.
      let before: Promise<string> | undefined;
      const beforeMark = () =>
        (before ??= meter.integrated ? Promise.resolve('before=-') : this.query.readingAtOrBefore({ ...series, atMs: first.startMs }).then((r) => (r ? `before=${r.tsMs}/${r.value}` : 'before=-')));
      const fixed = [`maxPowerW=${meter.maxPowerW ?? '-'}`, site.timezone];
      const check: SpanCheck = {
        whole: async () => {
          const [mark, b] = await Promise.all([this.marks.seriesMark({ ...series, fromMs, toMs }), beforeMark()]);
          return [mark, b, ...fixed];
        },
        days: async () => {
          const [byDay, b] = await Promise.all([dayMarks(this.marks, series, fromMs, toMs, site.timezone), beforeMark()]);
          const inSpan = new Set(days.map((d) => d.startMs));
          const margin = [...byDay].filter(([startMs]) => !inSpan.has(startMs)).map(([startMs, mark]) => `${startMs}=${mark}`);
          return { days: days.map((d) => byDay.get(d.startMs) ?? '-'), extra: [...margin, b, ...fixed] };
        },
      };
      // What compute gave, returned as it is rather than decoded from what was just encoded from it
      // (the codec reads back bit for bit): decoding was 0.07 of a first comparison's 3.8 s of
      // CPU, 20 sites (profile 2026-12-01 23:24).
      let fresh: { span: ComputedSpan; series: MeterSeries } | undefined;
      const compute = async () => {
        const series = await raw(meter, days, hourEdges);
        const span = { days: splitByDay(series.series, days).map(encodeMeterDay), header: encodeRollup(series.corrections) };
        fresh = { span, series };
        return span;
      };
      const span = await this.rollups.span(site.id, name, days, check, compute);
      if (fresh?.span === span) return fresh.series;
      return { series: joinDays(hourEdges, span.days.map(decodeMeterDay)), corrections: decodeRollup<Correction[]>(span.header) };
    };
  }

  /** Daily outdoor temperatures of the site's source over the days (each day from its own readings only). */
  async temperatures(site: SiteConfig, days: readonly LocalDay[]): Promise<DailyTemperature[] | null> {
    const ref = site.outdoorTemperature;
    if (!ref) return null;
    const source = { site: ref.site ?? site.id, device: ref.device, quantity: ref.quantity };
    const first = days[0]!;
    const last = days[days.length - 1]!;
    const name = `t|${source.device}|${source.quantity}|${site.timezone}|${first.date}|${last.date}`;
    const check: SpanCheck = {
      whole: async () => [await this.marks.seriesMark({ ...source, fromMs: first.startMs, toMs: last.endMs })],
      days: async () => {
        const byDay = await dayMarks(this.marks, source, first.startMs, last.endMs, site.timezone);
        return { days: days.map((d) => byDay.get(d.startMs) ?? '-'), extra: [] };
      },
    };
    let fresh: { span: ComputedSpan; daily: DailyTemperature[] } | undefined;
    const compute = async () => {
      const points = await loadOutdoorTemperature(this.query, site, first.startMs, last.endMs);
      const daily = dailyTemperatures(points ?? [], days, site.timezone);
      const span = { days: daily.map(encodeTemperatureDay), header: '' };
      fresh = { span, daily };
      return span;
    };
    const span = await this.rollups.span(source.site, name, days, check, compute);
    if (fresh?.span === span) return fresh.daily;
    return span.days.map((d, i) => decodeTemperatureDay(d, days[i]!));
  }
}

function splitByDay(s: IntervalSeries, days: readonly LocalDay[]): MeterDay[] {
  const out: MeterDay[] = [];
  let k = 0;
  for (const d of days) {
    const n = Math.round((d.endMs - d.startMs) / HOUR_MS);
    out.push({ v: s.values.subarray(k, k + n), c: s.coveredMs.subarray(k, k + n), e: s.estimatedMs.subarray(k, k + n) });
    k += n;
  }
  return out;
}

function joinDays(hourEdges: Float64Array, days: readonly MeterDay[]): IntervalSeries {
  const n = hourEdges.length - 1;
  const out: IntervalSeries = { edges: hourEdges, values: new Float64Array(n), coveredMs: new Float64Array(n), estimatedMs: new Float64Array(n) };
  let k = 0;
  for (const d of days) {
    out.values.set(d.v, k);
    out.coveredMs.set(d.c, k);
    out.estimatedMs.set(d.e, k);
    k += d.v.length;
  }
  if (k !== n) throw new Error(`rollup of ${k} hours for a span of ${n}`);
  return out;
}

