import type { Accounts } from '../accounts/accounts.js';
import type { StateStore } from '../alerts/state-port.js';
import type { LoginLimits } from './login-limiter.js';
import type { AnalyticsGate } from './analytics-gate.js';
import type { OutboxStatus } from '../alerts/email/outbox-sender.js';
import type { AppConfig } from '../config/schema.js';
import type { EnergyAnalyticsService } from '../energy/analytics-service.js';
import type { LiveFanout } from '../live/fanout-process.js';
import type { SiteLiveHub } from '../live/site-live-hub.js';
import type { IngestStatus, RejectionRecord } from '../ingest/types.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { ReadingQuery, ReadingStore, StoreHealth } from '../storage/port.js';
import type { WriteStatus } from '../storage/write-status.js';

/**
 * What the HTTP API needs, and no more (house style: narrow interfaces owned by
 * their consumer). The API only reads: it never writes a reading.
 */
export interface AppDeps {
  config: AppConfig;
  store: ReadingQuery & { health(): Promise<StoreHealth>; readonly kind: ReadingStore['kind'] };
  ingest: {
    status(): IngestStatus;
    /** The latest rejections, newest first, at most `limit`. */
    rejections(limit: number): RejectionRecord[];
  };
  writer: { status(): WriteStatus };
  /** The alert e-mail outbox sender; /api/health reports `email: null` without it. */
  mail?: { status(): OutboxStatus };
  metrics: Metrics;
  logger: Logger;
  /** Clock, epoch ms: default ranges and uptime come from it, never from `Date.now()`. */
  now: () => number;
  /** Directory holding the dashboard's index.html; not served when absent. */
  dashboardDir?: string;
  /** Reported by /api/health; defaults to package.json's version. */
  version?: string;
  /**
   * Stored readings, per site, for the live streams (src/live/site-live-hub.ts; the service passes
   * the one fed by ingest). Absent: a hub that nothing feeds, so a stream sends the store's
   * snapshot and keep-alives only: for API tests over a store filled directly, with no ingest.
   */
  live?: Pick<SiteLiveHub, 'subscribe' | 'noteSnapshot'>;
  /**
   * The process that holds the live streams' sockets and writes to them (src/live/fanout-process.ts,
   * LIVE_FANOUT=process): a stream is handed to it once authorised. Absent, or unable to take a
   * socket (e.g. a light-my-request injection): the streams are served in this process.
   */
  liveFanout?: LiveFanout;
  /** A live stream sends a comment when it sent nothing for this long, ms (default 15,000). */
  liveKeepAliveMs?: number;
  /** A live stream whose client has not read for this long is closed, ms (default 60,000). */
  liveStalledMs?: number;
  /** Consumption, degree days, baselines, KPIs and comparison; their routes exist only when given. */
  energy?: Pick<EnergyAnalyticsService, 'kpis' | 'compare' | 'baselineDays' | 'temperatures' | 'consumption' | 'hourlyGrid' | 'baseline' | 'warmUp' | 'refreshAhead' | 'decretTrajectory' | 'energyYears' | 'lastCompleteYear' | 'gasConversion'> &
    Partial<Pick<EnergyAnalyticsService, 'cachedBaseline'>>;
  /** Fit the baselines and read the default period in the background once the app is ready, then keep them fresh (default true). */
  analyticsWarmUp?: boolean;
  /** How often the analytics caches are refreshed ahead of expiry, ms (default 15,000). */
  analyticsRefreshMs?: number;
  /** Alerts, silences and rule state; the alert routes exist only when given. */
  state?: StateStore;
  /** Users, sessions and tokens. Absent: nobody logs in, and every non-public route answers 401. */
  accounts?: Accounts;
  /** Failed-login throttling (default: 20 per IP, 5 per account, per 15 min). */
  loginLimits?: LoginLimits;
  /** Requests per minute and user to the expensive analytics routes (default 60). */
  analyticsPerMinute?: number;
  /** Behind a reverse proxy: trust its X-Forwarded-For/-Proto (the client IP, and Secure cookies over HTTPS). */
  trustProxy?: boolean;
  /** How long an analytics answer is reused, ms (default 60,000). */
  analyticsCacheMs?: number;
  /** Runs the analytics computations (default: one at a time, at most half the event loop, 32 waiting). */
  analyticsGate?: AnalyticsGate;
}
