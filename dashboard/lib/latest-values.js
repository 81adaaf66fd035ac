// @ts-check

/** @typedef {import('./live.js').LiveValue} LiveValue */

/**
 * The latest value of each device and quantity, kept from the live stream's events: the first one
 * carries them all, later ones the values that changed.
 */
export class LatestValues {
  constructor() {
    /** @type {Map<string, LiveValue>} */
    this.byKey = new Map();
    /** False until the stream's first event (its snapshot) arrived. */
    this.received = false;
  }

  /** @param {LiveValue[]} values */
  merge(values) {
    this.received = true;
    for (const v of values) {
      const key = `${v.device}\u0000${v.quantity}`;
      const known = this.byKey.get(key);
      if (!known || known.tsMs <= v.tsMs) this.byKey.set(key, v);
    }
  }

  /** @returns {LiveValue[]} */
  all() {
    return [...this.byKey.values()];
  }
}
