import type { z } from 'zod';
import type { QuantityName } from '../config/quantities.js';
import type { DeviceConfig, SiteConfig } from '../config/schema.js';
import type { EnergyAnalyticsService } from '../energy/analytics-service.js';
import type { Correction } from '../energy/counters.js';
import type { ReadingQuery } from '../storage/port.js';
import type { SiteCalendar } from '../energy/calendar.js';
import type { HourlySeries, Judgement } from './judgement.js';

/** What one rule watches: one quantity of one device of one site. */
export interface RuleSubject {
  site: SiteConfig;
  device: DeviceConfig;
  quantity: QuantityName;
  calendar: SiteCalendar;
}

/** The data a rule type judges, fetched by the evaluator from the storage port. */
export type RuleInput =
  /** Consumption per hour (cumulative quantities) or the hourly mean (instantaneous ones). */
  | { kind: 'hourly'; series: HourlySeries }
  /** Raw readings in the window, time-ordered, and the last one before it (null: none ever). */
  | { kind: 'samples'; points: readonly { tsMs: number; value: number }[]; before: { tsMs: number; value: number } | null }
  /** The counter corrections (resets, backward and implausible steps) of the analytics' ledger. */
  | { kind: 'corrections'; corrections: readonly Correction[] }
  /** Each local day's measured final energy and what the site's weather-normalised baseline expects. */
  | { kind: 'daily-site'; days: readonly DailyComparison[]; bandRelative: number | null };

export interface DailyComparison {
  startMs: number;
  endMs: number;
  actualKWh: number | null;
  expectedKWh: number | null;
}

/** What a rule type with its own loader may read. */
export interface RuleDataSources {
  query: ReadingQuery;
  energy?: Pick<EnergyAnalyticsService, 'baselineDays'>;
}

export type RuleInputKind = RuleInput['kind'];
export type Cadence = 'minute' | 'hourly';

/**
 * A rule type, registered by name (evcc registers meters by type the same way). Adding a type is
 * adding one file and one line in the registry.
 */
export interface RuleTypeDef<P = unknown, K extends RuleInputKind = RuleInputKind> {
  readonly type: string;
  /** A strict zod object of the type's own fields (rule-level fields are stripped before). */
  readonly params: z.ZodType<P>;
  readonly input: K;
  /** minute: live rules on raw readings; hourly: rules on complete hours. */
  readonly cadence: Cadence;
  /** Which quantities the type applies to when the rule's selector names none. */
  defaultQuantity(quantity: QuantityName, device: DeviceConfig, site: SiteConfig): boolean;
  /** History needed before the first judged instant. */
  lookbackMs(params: P): number;
  /** The unit of `measured` and `expected`. */
  unit(subject: RuleSubject): string;
  /** Judges [fromMs, toMs) causally: the verdict on an interval reads data up to its end only. */
  judge(input: Extract<RuleInput, { kind: K }>, params: P, fromMs: number, toMs: number, subject: RuleSubject): Judgement[];
  /** Reads its own input (types whose data is not a plain storage read); default: input-source.ts. */
  load?(sources: RuleDataSources, subject: RuleSubject, fromMs: number, toMs: number): Promise<Extract<RuleInput, { kind: K }>>;
  /** One line saying what the alert is about, in English (the e-mail templates localise by type). */
  describe(params: P, subject: RuleSubject): string;
}
