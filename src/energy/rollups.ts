import type { Logger } from '../observability/logger.js';
import type { QuantityName } from '../config/quantities.js';
import type { RollupPart, RollupStore } from '../storage/port.js';
import { digestOf } from './rollup-codec.js';
import type { LocalDay } from './local-time.js';

/**
 * What the analytics derived from a span of readings, kept in the store (port.ts RollupStore) so
 * that the first comparison after a restart reads a day per row instead of a year of raw readings
 * (issue 13, point 6). Nothing false is served: every rollup records what it was computed from,
 * and is used only when that still holds.
 *
 * - Each day of a span is one part, with the MARK of that day's readings of the series
 *   (RollupStore.dayMarks, computed by the database): a reading added (a late one, an import) or
 *   replaced by another value changes it.
 * - The span's `header` part holds the digest of every mark the computation depended on (its
 *   days, the margin it reads beyond them, the index before the span, the meter's parameters and
 *   ROLLUP_FORMAT), and the digest of the day payloads written with it. Marks are read BEFORE the readings, so a write that lands in between makes the
 *   next check fail, never the reverse.
 * - When the digest differs, the span is computed again from the raw readings (a meter's steps
 *   depend on its whole span: the gap threshold is the span's median interval, counters.ts), and
 *   only the day parts whose figures or mark changed are written again: the days a late reading
 *   or an import affected, and no other.
 *
 * What a mark cannot see: on InfluxDB (no hash function in InfluxQL) a replaced reading whose new
 * value leaves the day's count, mean, min, max, first and last unchanged, i.e. a change below the
 * last bit of the day's mean; such a change moves a consumption by less than that bit too.
 */

/**
 * Version of what the rollups hold. Bump it when the derivation changes (counters.ts,
 * intervals.ts, site-data.ts, degree-days.ts, baseline/): every stored rollup is then computed
 * again. test/unit/energy/rollup-format.test.ts pins the sources to this version and fails
 * until it is bumped.
 */
export const ROLLUP_FORMAT = 'r2';

export interface SpanMarks {
  /** The mark of each day of the span, in order. */
  days: string[];
  /** Everything else the computation depends on. */
  extra: string[];
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

export type MarkQuery = Pick<RollupStore, 'dayMarks'>;

export class DayRollups {
  readonly stats: RollupStats = { served: 0, computed: 0, rewritten: new Map() };
  private readonly writes = new Set<Promise<void>>();

  constructor(
    private readonly store: RollupStore,
    private readonly logger?: Logger,
  ) {}

  /**
   * The day payloads of the span: stored, when the stored header's digest equals that of `marks`;
   * otherwise computed, returned, and written (in the background: an answer never waits for it).
   */
  async span(site: string, name: string, days: readonly LocalDay[], marks: () => Promise<SpanMarks>, compute: () => Promise<ComputedSpan>): Promise<ComputedSpan> {
    const [rows, m] = await Promise.all([this.stored(site, name), marks()]);
    const inputs = digestOf([ROLLUP_FORMAT, ...m.days, '|', ...m.extra]);
    const byPart = new Map(rows.map((r) => [r.part, r]));
    const header = byPart.get('header');
    if (header && days.every((d) => byPart.has(d.date))) {
      const stored = days.map((d) => byPart.get(d.date)!.payload);
      // The header also seals the day parts it was written with: parts left by another writer's
      // computation (two processes on one InfluxDB) never pass for this one's.
      if (header.mark === `${inputs}:${digestOf([header.payload, ...stored])}`) {
        this.stats.served++;
        return { header: header.payload, days: stored };
      }
    }
    const computed = await compute();
    this.stats.computed++;
    const parts: RollupPart[] = [];
    days.forEach((d, i) => {
      const old = byPart.get(d.date);
      if (!old || old.payload !== computed.days[i] || old.mark !== m.days[i]) parts.push({ part: d.date, atMs: d.startMs, mark: m.days[i]!, payload: computed.days[i]! });
    });
    // The header last, in the same write: a part set is consistent once the write resolves.
    parts.push({ part: 'header', atMs: days[0]!.startMs, mark: `${inputs}:${digestOf([computed.header, ...computed.days])}`, payload: computed.header });
    this.stats.rewritten.set(`${site} ${name}`, parts.map((p) => p.part));
    this.track(this.store.putRollups(site, name, parts));
    return computed;
  }

  /** A single stored value (a fitted baseline): used when its mark equals `mark`, otherwise computed and stored. */
  async value(site: string, name: string, atMs: number, mark: string, compute: () => Promise<string>): Promise<string> {
    const rows = await this.stored(site, name);
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

  /** The stored parts; none when the store cannot give them (the figures are then computed, as without rollups). */
  private async stored(site: string, name: string): Promise<Array<RollupPart & { name: string }>> {
    try {
      return await this.store.rollups(site, [name]);
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

/** Marks of one series over the local days of [fromMs, toMs), keyed by the day's start. */
export async function dayMarks(store: MarkQuery, series: { site: string; device: string; quantity: QuantityName }, fromMs: number, toMs: number, timezone: string): Promise<Map<number, string>> {
  const marks = await store.dayMarks({ ...series, fromMs, toMs, timezone });
  return new Map(marks.map((m) => [m.startMs, m.mark]));
}
