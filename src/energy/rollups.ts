import type { Logger } from '../observability/logger.js';
import type { QuantityName } from '../config/quantities.js';
import type { RollupPart, RollupStore } from '../storage/port.js';
import { digestOf } from './rollup-codec.js';
import type { LocalDay } from './local-time.js';
import { TurnBatch } from './store-batches.js';

/**
 * What the analytics derived from a span of readings, kept in the store (port.ts RollupStore) so
 * that the first comparison after a restart reads a day per row instead of a year of raw readings
 * (issue 13, point 6). Nothing false is served: every rollup records what it was computed from,
 * and is used only when that still holds.
 *
 * - Each day of a span has the MARK of that day's readings of the series (RollupStore.dayMarks,
 *   computed by the database): a reading added (a late one, an import) or replaced by another
 *   value changes it. The days are stored a calendar month per part ('YYYY-MM', the month's day
 *   payloads packed, its mark the digest of their marks): 13 rows for a year instead of 367, since
 *   reading a year's rows cost more per row than per byte (DuckDB's row objects, one InfluxDB
 *   series per part: 8 and 40 ms per year read, 2026-12-01), and a late reading rewrites a month.
 * - The span's `header` part holds the digest of every mark the computation depended on (its
 *   days, the margin it reads beyond them, the index before the span, the meter's parameters and
 *   ROLLUP_FORMAT), and the digest of the day payloads written with it. Marks are read BEFORE the readings, so a write that lands in between makes the
 *   next check fail, never the reverse; except when nothing usable is stored (computeUnmarked):
 *   the day marks are then read after, in the background, and kept only if the whole check read
 *   after them equals the one read before the readings.
 * - The header's mark also holds the digest of the span's WHOLE check (SpanCheck.whole: one
 *   RollupStore.seriesMark per series over the same range, and the same non-mark inputs), read
 *   first: a span whose whole check is unchanged is served without its day marks, which are read
 *   only when it changed (a cold comparison after a restart read 2 day-mark queries per site).
 *   When the whole check changed but the day marks did not (what one store's series mark sees and
 *   its day marks do not), the span is served and its header rewritten with the new whole check.
 * - When the digest differs, the span is computed again from the raw readings (a meter's steps
 *   depend on its whole span: the gap threshold is the span's median interval, counters.ts), and
 *   only the day parts whose figures or mark changed are written again: the days a late reading
 *   or an import affected, and no other.
 *
 * What a mark cannot see: on InfluxDB (no hash function in InfluxQL) a replaced reading whose new
 * value leaves the day's count, mean, min, max, first and last unchanged, i.e. a change below the
 * last bit of the day's mean; such a change moves a consumption by less than that bit too. Since
 * the whole check is InfluxDB's series mark (count and mean per 31-day window, rollup-measurement.ts),
 * also changes to several readings of one such window that leave its count and mean unchanged
 * (two values swapped, changes that cancel to the last bit of its mean).
 */

/**
 * Version of what the rollups hold. Bump it when the derivation changes (counters.ts,
 * intervals.ts, site-data.ts, degree-days.ts, baseline/): every stored rollup is then computed
 * again. test/unit/energy/rollup-format.test.ts pins the sources to this version and fails
 * until it is bumped.
 */
export const ROLLUP_FORMAT = 'r8';

export interface SpanMarks {
  /** The mark of each day of the span, in order. */
  days: string[];
  /** Everything else the computation depends on. */
  extra: string[];
}

/** How a span's inputs are checked: all at once (cheap), then day by day when that changed. */
export interface SpanCheck {
  /** The series marks of the span's whole range and every input that is not a reading mark: equal for equal inputs. */
  whole: () => Promise<string[]>;
  days: () => Promise<SpanMarks>;
}

export interface ComputedSpan {
  /** One payload per day of the span. */
  days: string[];
  header: string;
}

/** What happened to the spans asked for since the keeper was built (for tests and benchmarks). */
export interface RollupStats {
  served: number;
  computed: number;
  /** Parts written again, per `site name` of a rollup (the last write of each). */
  rewritten: Map<string, string[]>;
}

export type MarkQuery = Pick<RollupStore, 'dayMarks' | 'seriesMark'>;

export class DayRollups {
  readonly stats: RollupStats = { served: 0, computed: 0, rewritten: new Map() };
  private readonly writes = new Set<Promise<void>>();
  /** The last background read of a computed span's day marks (computeUnmarked), settled, never rejected. */
  private unmarked: Promise<void> = Promise.resolve();
  /** Reads started ahead by prefetch, by [site, name]. */
  private readonly prefetched = new Map<string, Promise<Array<RollupPart & { name: string }>>>();
  /** Reads of rollups gathering sites and names until the end of the current turn (stored). */
  private readonly reads: TurnBatch<{ site: string; name: string }, Array<RollupPart & { name: string }>>;

  constructor(
    private readonly store: RollupStore,
    private readonly logger?: Logger,
  ) {
    this.reads = new TurnBatch((asked) => readTogether(store, asked));
  }

  /**
   * The day payloads of the span: stored, when the stored header's digests equal those of the
   * check; otherwise computed, returned, and written (in the background: an answer never waits for it).
   */
  async span(site: string, name: string, days: readonly LocalDay[], check: SpanCheck, compute: () => Promise<ComputedSpan>): Promise<ComputedSpan> {
    const [rows, whole] = await Promise.all([this.stored(site, name), check.whole()]);
    const wholeDigest = digestOf([ROLLUP_FORMAT, ...whole]);
    const byPart = new Map(rows.map((r) => [r.part, r]));
    const header = byPart.get('header');
    const months = monthsOf(days);
    const storedDays = header ? unpackMonths(byPart, months) : null;
    const kept = header && storedDays ? sealedHeader(header, storedDays) : null;
    if (kept && kept.whole === wholeDigest) {
      this.stats.served++;
      return kept.span;
    }
    if (!kept) return this.computeUnmarked(site, name, days, check, compute, byPart, wholeDigest);
    // Day marks are read BEFORE the readings (compute), as the whole check was.
    const m = await check.days();
    const inputs = digestOf([ROLLUP_FORMAT, ...m.days, '|', ...m.extra]);
    if (kept.inputs === inputs) {
      this.stats.served++;
      this.track(this.store.putRollups(site, name, [{ part: 'header', atMs: days[0]!.startMs, mark: headerMark(wholeDigest, inputs, kept.span), payload: kept.span.header }]));
      return kept.span;
    }
    const computed = await compute();
    this.stats.computed++;
    this.track(this.store.putRollups(site, name, this.partsToWrite(site, name, days, byPart, m, wholeDigest, computed)));
    return computed;
  }

  /**
   * Nothing usable stored (a first start, a store filled by another tool): the span is computed at
   * once, and its day marks, which nothing stored needs to be compared with, are read in the
   * background after the readings, so that the answer does not wait for them (the 40 day-mark
   * queries of a first comparison of 20 sites were 0.85 of its 1.5 s of store reads on DuckDB,
   * api-cold-profile 2026-12-01 23:39; on InfluxDB six aggregates per local day of each year).
   * Read after the readings, they are kept only if the whole check, read again after them,
   * still equals the one read before the readings: then no write the whole check sees landed in
   * between, and the marks are those of the readings computed from (what the whole check cannot
   * see is what it already cannot see on every served span, see above). Otherwise nothing is
   * written, and the next read computes the span again.
   */
  private async computeUnmarked(site: string, name: string, days: readonly LocalDay[], check: SpanCheck, compute: () => Promise<ComputedSpan>, byPart: ReadonlyMap<string, RollupPart>, wholeDigest: string): Promise<ComputedSpan> {
    const computed = await compute();
    this.stats.computed++;
    // One span's marks at a time: all at once, they took the store's cores from the spans still
    // being read (a first comparison on InfluxDB went from 6.1 to 7.3 s, api-cold-profile 23:45).
    const marked = this.unmarked.then(async () => {
      const m = await check.days();
      if (digestOf([ROLLUP_FORMAT, ...(await check.whole())]) !== wholeDigest) return;
      await this.store.putRollups(site, name, this.partsToWrite(site, name, days, byPart, m, wholeDigest, computed));
    });
    this.unmarked = marked.catch(() => undefined);
    this.track(marked);
    return computed;
  }

  /** The months whose figures or marks differ from the stored ones, then the header (recorded in stats.rewritten). */
  private partsToWrite(site: string, name: string, days: readonly LocalDay[], byPart: ReadonlyMap<string, RollupPart>, m: SpanMarks, wholeDigest: string, computed: ComputedSpan): RollupPart[] {
    const inputs = digestOf([ROLLUP_FORMAT, ...m.days, '|', ...m.extra]);
    const parts: RollupPart[] = [];
    for (const month of monthsOf(days)) {
      const payload = packDays(computed.days.slice(month.from, month.to));
      const mark = digestOf(m.days.slice(month.from, month.to));
      const old = byPart.get(month.part);
      if (!old || old.payload !== payload || old.mark !== mark) parts.push({ part: month.part, atMs: days[month.from]!.startMs, mark, payload });
    }
    // The header last, in the same write: a part set is consistent once the write resolves.
    parts.push({ part: 'header', atMs: days[0]!.startMs, mark: headerMark(wholeDigest, inputs, computed), payload: computed.header });
    this.stats.rewritten.set(`${site} ${name}`, parts.map((p) => p.part));
    return parts;
  }

  /** A single stored value (a fitted baseline): used when its mark equals `mark`, otherwise computed and stored. */
  async value(site: string, name: string, atMs: number, mark: string, compute: () => Promise<string>): Promise<string> {
    const rows = await this.storedOrPrefetched(site, name);
    const digest = digestOf([ROLLUP_FORMAT, mark]);
    const hit = rows.find((r) => r.part === 'value');
    if (hit && hit.mark === digest) {
      this.stats.served++;
      return hit.payload;
    }
    const payload = await compute();
    this.stats.computed++;
    this.stats.rewritten.set(`${site} ${name}`, ['value']);
    this.track(this.store.putRollups(site, name, [{ part: 'value', atMs, mark: digest, payload }]));
    return payload;
  }

  /**
   * Starts reading the named rollup of the site now, to join the reads of this turn (stored):
   * its next read is served by this one. For a rollup read only once other reads have resolved
   * (a baseline, whose mark needs its days' figures), saving it a store call of its own.
   */
  prefetch(site: string, name: string): void {
    const key = JSON.stringify([site, name]);
    if (this.prefetched.has(key)) return;
    const rows = this.stored(site, name);
    this.prefetched.set(key, rows);
    // Unused within a minute (the figures were found in memory after all): dropped, not kept stale.
    setTimeout(() => this.prefetched.get(key) === rows && this.prefetched.delete(key), 60_000).unref();
  }

  /** The stored parts, from a prefetch when there is one (used once), else read now. */
  private storedOrPrefetched(site: string, name: string): Promise<Array<RollupPart & { name: string }>> {
    const key = JSON.stringify([site, name]);
    const rows = this.prefetched.get(key);
    if (!rows) return this.stored(site, name);
    this.prefetched.delete(key);
    return rows;
  }

  /**
   * The stored parts; none when the store cannot give them (the figures are then computed, as
   * without rollups). The rollups asked for in the same turn (a site's meter and temperature
   * spans, asked together by the analytics, and the other sites of a comparison, read together)
   * are read in one store call: a cold comparison after a restart spent most of its time waiting
   * for those reads (20 sites, 2026-12-01).
   */
  private async stored(site: string, name: string): Promise<Array<RollupPart & { name: string }>> {
    try {
      return await this.reads.get({ site, name });
    } catch (err) {
      this.logger?.warn({ err, site, name }, 'rollups unreadable: computed from the readings');
      return [];
    }
  }

  /** Resolves once every rollup write started so far has settled (tests, benchmarks, shutdown). */
  async settled(): Promise<void> {
    while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
  }

  private track(write: Promise<void>): void {
    // A failed write costs a recomputation at the next cold start, nothing else.
    const p = write.catch((err: unknown) => this.logger?.warn({ err }, 'rollup write failed')).finally(() => this.writes.delete(p));
    this.writes.add(p);
  }
}

/** The rows of each (site, name) asked, from one sitesRollups call (the names grouped by site). */
async function readTogether(store: RollupStore, asked: ReadonlyArray<{ site: string; name: string }>): Promise<Array<Array<RollupPart & { name: string }>>> {
  const bySite = new Map<string, Set<string>>();
  for (const a of asked) bySite.set(a.site, (bySite.get(a.site) ?? new Set()).add(a.name));
  const rows = await store.sitesRollups([...bySite].map(([site, names]) => ({ site, names: [...names] })));
  const byKey = new Map<string, Array<RollupPart & { name: string }>>();
  for (const { site, ...row } of rows) {
    const key = JSON.stringify([site, row.name]);
    const list = byKey.get(key);
    if (list) list.push(row);
    else byKey.set(key, [row]);
  }
  return asked.map((a) => byKey.get(JSON.stringify([a.site, a.name])) ?? []);
}

/** The span's days by calendar month: the part name and the days' index range [from, to). */
interface MonthPart {
  part: string;
  from: number;
  to: number;
}

function monthsOf(days: readonly LocalDay[]): MonthPart[] {
  const out: MonthPart[] = [];
  days.forEach((d, i) => {
    const part = d.date.slice(0, 7);
    const last = out[out.length - 1];
    if (last && last.part === part) last.to = i + 1;
    else out.push({ part, from: i, to: i + 1 });
  });
  return out;
}

/** A month's day payloads, each prefixed by its length: any text goes through unchanged, with no separator to escape. */
function packDays(payloads: readonly string[]): string {
  let out = '';
  for (const p of payloads) out += `${p.length}:${p}`;
  return out;
}

/** The day payloads of every month of the span, in order; null when a month is missing or does not hold its days. */
function unpackMonths(byPart: ReadonlyMap<string, RollupPart>, months: readonly MonthPart[]): string[] | null {
  const out: string[] = [];
  for (const month of months) {
    const text = byPart.get(month.part)?.payload;
    if (text === undefined) return null;
    let at = 0;
    let n = 0;
    while (at < text.length) {
      const colon = text.indexOf(':', at);
      const length = colon > at ? Number(text.slice(at, colon)) : NaN;
      if (!Number.isSafeInteger(length) || length < 0 || colon + 1 + length > text.length) return null;
      out.push(text.slice(colon + 1, colon + 1 + length));
      at = colon + 1 + length;
      n++;
    }
    if (n !== month.to - month.from) return null;
  }
  return out;
}

/**
 * A header's mark: the whole check's digest, the day marks' digest, and the seal of the payloads
 * written with it. The seal means parts left by another writer's computation (two processes on
 * one InfluxDB) never pass for this one's.
 */
function headerMark(whole: string, inputs: string, span: ComputedSpan): string {
  return `${whole}:${inputs}:${digestOf([span.header, ...span.days])}`;
}

/** The stored span and the digests its header holds, when its seal matches the stored parts (null otherwise). */
function sealedHeader(header: RollupPart, stored: string[]): { whole: string; inputs: string; span: ComputedSpan } | null {
  const [whole, inputs, seal, ...rest] = header.mark.split(':');
  if (rest.length > 0 || whole === undefined || inputs === undefined || seal !== digestOf([header.payload, ...stored])) return null;
  return { whole, inputs, span: { header: header.payload, days: stored } };
}

/** Marks of one series over the local days of [fromMs, toMs), keyed by the day's start. */
export async function dayMarks(store: MarkQuery, series: { site: string; device: string; quantity: QuantityName }, fromMs: number, toMs: number, timezone: string): Promise<Map<number, string>> {
  const marks = await store.dayMarks({ ...series, fromMs, toMs, timezone });
  return new Map(marks.map((m) => [m.startMs, m.mark]));
}
