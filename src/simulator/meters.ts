/**
 * A meter index (cumulative kWh or m³) as a pure function of time: the energy of each 15-minute
 * slot of a fixed grid (aligned on `ANCHOR_MS`) is the slot's mean power times its length, and the
 * index is the running total, interpolated within the current slot. A run that starts later
 * therefore continues the index of an earlier run instead of restarting it (which the analytics
 * would read as a counter reset), and a backfill at 15-minute steps and live readings every few
 * seconds lie on the same curve.
 */
export const SLOT_MS = 900_000;
/** 2024-01-01T00:00:00Z: indexes count from here (or from the run's start, when earlier). */
export const ANCHOR_MS = Date.UTC(2024, 0, 1);
const HOUR_MS = 3_600_000;

/** Consumption rate at the middle of a slot, in the index's unit per hour (kWh/h = kW; m³/h). */
export type RatePerHour = (slotMidMs: number, inRun: boolean) => number;

export class SlotIndex {
  private slot: number;
  private totalAtSlotStart: number;
  private slotRate: number;

  /**
   * @param startValue index at `ANCHOR_MS` (or at `runStartMs` when that is earlier)
   * @param runStartMs from here on the rate includes the run's injected anomalies
   */
  constructor(
    private readonly rate: RatePerHour,
    startValue: number,
    private readonly runStartMs: number,
  ) {
    const anchor = Math.min(ANCHOR_MS, Math.floor(runStartMs / SLOT_MS) * SLOT_MS);
    this.slot = Math.floor(anchor / SLOT_MS);
    this.totalAtSlotStart = startValue;
    this.slotRate = this.rateOf(this.slot);
  }

  private rateOf(slot: number): number {
    const startMs = slot * SLOT_MS;
    return Math.max(0, this.rate(startMs + SLOT_MS / 2, startMs >= this.runStartMs));
  }

  /** The index at `tMs`; calls must not go back in time. */
  valueAt(tMs: number): number {
    const slot = Math.floor(tMs / SLOT_MS);
    if (slot < this.slot) throw new Error(`meter index asked for ${new Date(tMs).toISOString()}, before its cursor`);
    while (this.slot < slot) {
      this.totalAtSlotStart += (this.slotRate * SLOT_MS) / HOUR_MS;
      this.slot += 1;
      this.slotRate = this.rateOf(this.slot);
    }
    return this.totalAtSlotStart + (this.slotRate * (tMs - slot * SLOT_MS)) / HOUR_MS;
  }

  /** The mean rate of the slot holding the last `valueAt` instant, per hour. */
  currentRate(): number {
    return this.slotRate;
  }
}

/**
 * The resolution a meter shows its index at: a Linky electricity meter counts whole Wh
 * (Enedis-NOI-CPT_54E, the TIC index fields are in Wh), a gas meter's pulse emitter 0.01 m³, a
 * heat meter (EN 1434) whole kWh, a water meter's pulse 1 L.
 */
export const INDEX_RESOLUTION = { energy_kwh: 0.001, gas_m3: 0.01, heat_kwh: 1, water_m3: 0.001 } as const;

/** Rounds down to the resolution (a meter never shows energy it has not counted yet). */
export function atResolution(value: number, resolution: number): number {
  // Dividing by a whole power of ten gives the double nearest the decimal, so it prints as one.
  const perUnit = Math.round(1 / resolution);
  return Math.floor(value * perUnit + 1e-9) / perUnit;
}
