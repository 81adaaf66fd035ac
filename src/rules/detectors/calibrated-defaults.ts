// Placeholder until the calibrated energy defaults land (branch detect): same export, none yet.
export interface DefaultEnergyRule {
  id: string;
  type: string;
  severity: 'info' | 'warning' | 'critical';
  forHours: number;
  clearForHours: number;
  params: Record<string, unknown>;
}
export const DEFAULT_ENERGY_RULES: readonly DefaultEnergyRule[] = [];
