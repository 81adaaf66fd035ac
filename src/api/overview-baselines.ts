import { setImmediate as nextTurn } from 'node:timers/promises';
import type { SiteBaseline } from '../energy/analytics-service.js';
import type { Logger } from '../observability/logger.js';

interface Waiting {
  site: string;
  done: Promise<SiteBaseline>;
  resolve: (b: SiteBaseline) => void;
  reject: (err: unknown) => void;
}

/**
 * The baselines the overview asks for, fitted one site at a time. A cold fit reads the site's
 * whole reference period; twenty of them at once (the overview's first load after a start, as
 * bench:api has it) held the store and the event loop for seconds, and the overview's own small
 * reads (latest values, the month) waited behind them: 2.1 s for /api/overview on InfluxDB in the
 * run of 2026-12-01 19:38. In turn, as the analytics warm-up fits them (analytics-service.ts
 * warmUp), each leaves the loop to the rest; a site fitted once is asked directly afterwards
 * (the analytics' cache answers, or refits that one site when its readings changed).
 */
export class OverviewBaselines {
  private readonly fitted = new Set<string>();
  private readonly queue: Waiting[] = [];
  private running = false;

  constructor(
    private readonly baseline: (site: string) => Promise<SiteBaseline>,
    /** The baseline when it is fitted or being fitted, without starting a fit (analytics-service.ts cachedBaseline). */
    private readonly cached: (site: string) => Promise<SiteBaseline> | null = () => null,
    private readonly log?: Pick<Logger, 'warn'>,
    /**
     * How long after the first site is queued the fits begin: the page that asked is still
     * loading, and its live stream reads every site's latest values; behind a year's read of a
     * first fit they came 400 ms after the overview's answer (bench:api, 2026-12-01 19:55).
     */
    private readonly startDelayMs = 1_000,
  ) {}

  get(site: string): Promise<SiteBaseline> {
    const cached = this.cached(site);
    if (cached) return cached;
    if (this.fitted.has(site)) return this.baseline(site);
    const queued = this.queue.find((w) => w.site === site);
    if (queued) return queued.done;
    let resolve!: Waiting['resolve'];
    let reject!: Waiting['reject'];
    const done = new Promise<SiteBaseline>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Nobody may be waiting when it fails (the request that queued it has answered).
    done.catch(() => undefined);
    this.queue.push({ site, done, resolve, reject });
    void this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await new Promise((resolve) => setTimeout(resolve, this.startDelayMs).unref());
      while (this.queue.length > 0) {
        const next = this.queue[0]!;
        try {
          next.resolve(await this.baseline(next.site));
        } catch (err) {
          this.log?.warn({ err, site: next.site }, 'overview: baseline fit failed');
          next.reject(err);
        }
        this.fitted.add(next.site);
        this.queue.shift();
        await nextTurn();
      }
    } finally {
      this.running = false;
    }
  }
}
