/**
 * Scores alert episodes against hour labels, independently of how the episodes were produced
 * (this bench's daily driver today, the backtest engine later).
 * - Hour level: an hour is flagged when it lies inside an episode [start, end) of any rule
 *   (rules alerting on the same hours are unioned); unlabelled hours (not measured) are not scored.
 * - Event level: every episode is an event; a false event overlaps no labelled hour.
 */
export interface Episode {
  rule: string;
  startMs: number;
  endMs: number;
}

export interface HourLabels {
  /** Epoch ms of the start of hour 0. */
  startMs: number;
  /** 1 anomalous, 0 normal, -1 unlabelled. */
  labels: Int8Array;
}

export interface ScoreOptions {
  /** Hours before this are not scored and episodes ending before it are left out. */
  fromMs?: number;
}

export interface Score {
  truePositiveHours: number;
  falsePositiveHours: number;
  falseNegativeHours: number;
  events: number;
  falseEvents: number;
  /** Length of the scored period in average months (365.25 / 12 days). */
  months: number;
}

const HOUR_MS = 3_600_000;
const MONTH_MS = (365.25 / 12) * 86_400_000;

export function scoreEpisodes(episodes: readonly Episode[], truth: HourLabels, options: ScoreOptions = {}): Score {
  const n = truth.labels.length;
  const endMs = truth.startMs + n * HOUR_MS;
  const fromMs = Math.max(truth.startMs, options.fromMs ?? truth.startMs);
  const first = Math.ceil((fromMs - truth.startMs) / HOUR_MS);
  const flagged = new Uint8Array(n);
  let events = 0;
  let falseEvents = 0;
  for (const e of episodes) {
    const a = Math.max(first, Math.floor((e.startMs - truth.startMs) / HOUR_MS));
    const b = Math.min(n, Math.ceil((e.endMs - truth.startMs) / HOUR_MS));
    if (b <= a) continue;
    events++;
    let hit = false;
    for (let i = a; i < b; i++) {
      flagged[i] = 1;
      if (truth.labels[i] === 1) hit = true;
    }
    if (!hit) falseEvents++;
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = first; i < n; i++) {
    const label = truth.labels[i];
    if (label === -1) continue;
    if (flagged[i] === 1) {
      if (label === 1) tp++;
      else fp++;
    }    else if (label === 1) fn++;
  }
  return { truePositiveHours: tp, falsePositiveHours: fp, falseNegativeHours: fn, events, falseEvents, months: (endMs - fromMs) / MONTH_MS };
}

/** Sum of several buildings' scores (micro-average: hours and events pooled). */
export function addScores(scores: readonly Score[]): Score {
  const total: Score = { truePositiveHours: 0, falsePositiveHours: 0, falseNegativeHours: 0, events: 0, falseEvents: 0, months: 0 };
  for (const s of scores) {
    total.truePositiveHours += s.truePositiveHours;
    total.falsePositiveHours += s.falsePositiveHours;
    total.falseNegativeHours += s.falseNegativeHours;
    total.events += s.events;
    total.falseEvents += s.falseEvents;
    total.months += s.months;
  }
  return total;
}

export interface Rates {
  precision: number;
  recall: number;
  f1: number;
  falseEventsPerMonth: number;
}

export function rates(s: Score): Rates {
  const flagged = s.truePositiveHours + s.falsePositiveHours;
  const labelled = s.truePositiveHours + s.falseNegativeHours;
  const precision = flagged === 0 ? 0 : s.truePositiveHours / flagged;
  const recall = labelled === 0 ? 0 : s.truePositiveHours / labelled;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, falseEventsPerMonth: s.months === 0 ? 0 : s.falseEvents / s.months };
}

export interface LabelledEvent {
  startMs: number;
  hours: number;
  /** Share of its hours inside an episode. */
  coveredShare: number;
}

/** Labelled events (runs of consecutive hours labelled 1) and how much of each the episodes cover. */
export function labelledEventCoverage(episodes: readonly Episode[], truth: HourLabels): LabelledEvent[] {
  const n = truth.labels.length;
  const flagged = new Uint8Array(n);
  for (const e of episodes) {
    const a = Math.max(0, Math.floor((e.startMs - truth.startMs) / HOUR_MS));
    const b = Math.min(n, Math.ceil((e.endMs - truth.startMs) / HOUR_MS));
    for (let i = a; i < b; i++) flagged[i] = 1;
  }
  const out: LabelledEvent[] = [];
  for (let i = 0; i < n; i++) {
    if (truth.labels[i] !== 1) continue;
    let j = i;
    let covered = 0;
    while (j < n && truth.labels[j] === 1) covered += flagged[j++]!;
    out.push({ startMs: truth.startMs + i * HOUR_MS, hours: j - i, coveredShare: covered / (j - i) });
    i = j - 1;
  }
  return out;
}
