import { setImmediate } from 'node:timers';
import type { Reading } from '../model/reading.js';
import type { ReadingQuery, RollupStore, SeriesSelector } from '../storage/port.js';
import type { MarkQuery } from './rollups.js';

/**
 * Gathers the calls made during one turn of the event loop and answers them all with one batched
 * call, made once the turn's microtasks have run (setImmediate): the sites of a comparison ask
 * for their marks in the same turn (analytics-service.ts compare reads its sites together), and
 * one store call per series was most of a cold comparison's time on InfluxDB (80 HTTP round trips
 * for 20 sites, 812 of 830 ms with a store call in flight; api-cold-profile, 2026-12-01).
 */
export class TurnBatch<Q, R> {
  private pending: Array<{ query: Q; resolve: (r: R) => void; reject: (err: unknown) => void }> | null = null;

  /** `run` answers the queries in the order given. */
  constructor(private readonly run: (queries: readonly Q[]) => Promise<R[]>) {}

  get(query: Q): Promise<R> {
    if (!this.pending) {
      this.pending = [];
      setImmediate(() => this.flush());
    }
    const pending = this.pending;
    return new Promise<R>((resolve, reject) => pending.push({ query, resolve, reject }));
  }

  private flush(): void {
    const batch = this.pending ?? [];
    this.pending = null;
    let answer: Promise<R[]>;
    try {
      answer = this.run(batch.map((b) => b.query));
    } catch (err) {
      answer = Promise.reject(err);
    }
    answer.then(
      (results) => {
        if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} queries answered ${results.length} results`);
        batch.forEach((b, i) => b.resolve(results[i]!));
      },
      (err: unknown) => batch.forEach((b) => b.reject(err)),
    ).catch((err: unknown) => batch.forEach((b) => b.reject(err)));
  }
}

/** The marks of a rollup check, each turn's series marks asked in one `seriesMarks` call. */
export function batchedMarks(store: MarkQuery & Pick<RollupStore, 'seriesMarks'>): MarkQuery {
  const marks = new TurnBatch<SeriesSelector, string>((selectors) => store.seriesMarks(selectors));
  return { dayMarks: (q) => store.dayMarks(q), seriesMark: (s) => marks.get(s) };
}

type AtOrBefore = Parameters<ReadingQuery['readingAtOrBefore']>[0];

/**
 * The reading query with each turn's `readingAtOrBefore` calls answered by `sitesReadingsAtOrBefore`,
 * one call per instant asked (the sites of one time zone share their span's first midnight): the
 * index before a span, read by every index meter's rollup check (site-rollups.ts). The port
 * promises the same reading either way (the storage contract compares them).
 */
export class BatchedReadingQuery implements ReadingQuery {
  private readonly before = new TurnBatch<AtOrBefore, Reading | null>((qs) => this.answerAtOrBefore(qs));

  constructor(private readonly query: ReadingQuery) {}

  readingAtOrBefore(selector: AtOrBefore): Promise<Reading | null> {
    return this.before.get(selector);
  }

  private async answerAtOrBefore(qs: readonly AtOrBefore[]): Promise<Array<Reading | null>> {
    const byInstant = new Map<number, Set<string>>();
    for (const q of qs) byInstant.set(q.atMs, (byInstant.get(q.atMs) ?? new Set()).add(q.site));
    const found = new Map<string, Reading>();
    await Promise.all(
      [...byInstant].map(async ([atMs, sites]) => {
        for (const r of await this.query.sitesReadingsAtOrBefore({ sites: [...sites], atMs })) found.set(JSON.stringify([atMs, r.site, r.device, r.quantity]), r);
      }),
    );
    return qs.map((q) => found.get(JSON.stringify([q.atMs, q.site, q.device, q.quantity])) ?? null);
  }

  latest: ReadingQuery['latest'] = (site) => this.query.latest(site);
  sitesLatest: ReadingQuery['sitesLatest'] = (sites) => this.query.sitesLatest(sites);
  readings: ReadingQuery['readings'] = (s) => this.query.readings(s);
  siteReadings: ReadingQuery['siteReadings'] = (s) => this.query.siteReadings(s);
  sitesReadings: ReadingQuery['sitesReadings'] = (s) => this.query.sitesReadings(s);
  siteReadingsAtOrBefore: ReadingQuery['siteReadingsAtOrBefore'] = (s) => this.query.siteReadingsAtOrBefore(s);
  sitesReadingsAtOrBefore: ReadingQuery['sitesReadingsAtOrBefore'] = (s) => this.query.sitesReadingsAtOrBefore(s);
  buckets: ReadingQuery['buckets'] = (q) => this.query.buckets(q);
  siteBuckets: ReadingQuery['siteBuckets'] = (q) => this.query.siteBuckets(q);
  sitesBuckets: ReadingQuery['sitesBuckets'] = (q) => this.query.sitesBuckets(q);
  count: ReadingQuery['count'] = (s) => this.query.count(s);
}
