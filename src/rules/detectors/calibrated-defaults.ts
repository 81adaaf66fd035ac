import type { z } from 'zod';
import type { baselineDeviationParams } from './baseline-deviation.js';
import type { cusumDriftParams } from './cusum-drift.js';
import type { flatlineParams } from './flatline.js';
import type { outOfHoursParams } from './out-of-hours.js';
import type { spikeDropParams } from './spike-drop.js';

/**
 * The energy rules shipped by default, applied to every main meter.
 * PROVISIONAL: first guesses, to be replaced by the calibration figures.
 */
export type Severity = 'info' | 'warning' | 'critical';

interface RuleBase {
  id: string;
  severity: Severity;
  /** The condition must hold this long before the alert opens (hours). */
  forHours: number;
  /** The clear condition must hold this long before the alert resolves (hours). */
  clearForHours: number;
}

export type DefaultEnergyRule = RuleBase &
  (
    | { type: 'baseline-deviation'; params: z.input<typeof baselineDeviationParams> }
    | { type: 'cusum-drift'; params: z.input<typeof cusumDriftParams> }
    | { type: 'out-of-hours'; params: z.input<typeof outOfHoursParams> }
    | { type: 'spike-drop'; params: z.input<typeof spikeDropParams> }
    | { type: 'flatline'; params: z.input<typeof flatlineParams> }
  );

export const DEFAULT_ENERGY_RULES: readonly DefaultEnergyRule[] = [
  {
    id: 'energy-spike-drop',
    type: 'spike-drop',
    severity: 'warning',
    forHours: 1,
    clearForHours: 1,
    params: { weeks: 4, zWeek: 5, zDay: 4, nearZeroShare: 0.05 },
  },
  { id: 'energy-flatline', type: 'flatline', severity: 'critical', forHours: 1, clearForHours: 1, params: { hours: 12, epsilon: 0 } },
  {
    id: 'energy-below-baseline',
    type: 'baseline-deviation',
    severity: 'warning',
    forHours: 4,
    clearForHours: 2,
    params: { weeks: 6, direction: 'below', kSigma: 4, percent: 30 },
  },
  {
    id: 'energy-out-of-hours',
    type: 'out-of-hours',
    severity: 'warning',
    forHours: 5,
    clearForHours: 2,
    params: { weeks: 6, percent: 30, minExcessShare: 0.2, occupiedShare: 0 },
  },
];
