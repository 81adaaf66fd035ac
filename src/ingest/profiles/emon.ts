import { z } from 'zod';
import { QUANTITY_NAMES, type QuantityName } from '../../config/quantities.js';
import type { DeviceProfile } from './types.js';
import { emit } from './values.js';

/**
 * OpenEnergyMonitor emonTx / emonPi through emonhub's MQTT interfacer, "node variable format"
 * (https://github.com/openenergymonitor/emonhub conf/interfacer_examples/MQTT/readme.md):
 * `emon/<nodename>/<varname>` with a plain value, e.g. `emon/emontx/power1` `100`.
 * An emonTx4 publishes P1…P6 (W), E1…E6 (Wh, cumulative), Vrms, T1…T3, pulse, MSG.
 * The variables are named in `options.keys`, each with its quantity and a scale (E1 in Wh is
 * `{ quantity: energy_kwh, scale: 0.001 }`); `options.ignore` lists the variables not kept
 * (any other variable is a rejection, so that a new one is noticed). `topic:` is the node name.
 * Plain values carry no time: the receive time is used (flagged).
 */
const quantityName = z.enum(QUANTITY_NAMES as [QuantityName, ...QuantityName[]]);
const key = z.union([quantityName, z.strictObject({ quantity: quantityName, scale: z.number().finite().refine((v) => v !== 0, 'a scale cannot be 0').default(1) })]);
const options = z.strictObject({
  keys: z.record(z.string().regex(/^[^/+#]+$/, 'a variable name holds no "/", "+" or "#"'), key).refine((k) => Object.keys(k).length > 0, 'map at least one emonhub variable'),
  ignore: z.array(z.string()).default([]),
});
type Options = z.infer<typeof options>;

const PLAIN_NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** A scale below 1 is applied as a divisor (0.001 -> / 1000), exact for Wh -> kWh (see units.ts). */
function scaleParts(scale: number): { divisor: number; factor: number } {
  if (Math.abs(scale) < 1) {
    const inverse = 1 / scale;
    if (Number.isInteger(Math.round(inverse * 1e9) / 1e9)) return { divisor: Math.round(inverse), factor: 1 };
  }
  return { divisor: 1, factor: scale };
}

export const emonProfile: DeviceProfile<Options> = {
  name: 'emon',
  description: 'OpenEnergyMonitor emonTx/emonPi via emonhub: emon/<node>/<variable> plain values',
  options,
  quantities: QUANTITY_NAMES,
  viaBridge: false,
  check(device, o) {
    const issues: { path: (string | number)[]; message: string }[] = [];
    const mapped = new Set<QuantityName>();
    for (const [name, k] of Object.entries(o.keys)) {
      const q = typeof k === 'string' ? k : k.quantity;
      if (!device.quantities.includes(q)) issues.push({ path: ['options', 'keys', name], message: `quantity "${q}" is not in the device's quantities` });
      if (mapped.has(q)) issues.push({ path: ['options', 'keys', name], message: `quantity "${q}" is already given by another variable` });
      mapped.add(q);
    }
    device.quantities.forEach((q, i) => {
      if (!mapped.has(q)) issues.push({ path: ['quantities', i], message: `no emonhub variable gives "${q}" (options.keys)` });
    });
    return issues;
  },
  compile(device, o, ctx) {
    const site = ctx.site.id;
    const node = device.topic ?? device.id;
    const base = `emon/${node}`;
    const keys = new Map(Object.entries(o.keys).map(([name, k]) => [`${base}/${name}`, { name, quantity: typeof k === 'string' ? k : k.quantity, ...scaleParts(typeof k === 'string' ? 1 : k.scale) }]));
    const ignored = new Set(o.ignore.map((n) => `${base}/${n}`));
    return {
      site,
      device: device.id,
      owner: `${site}/${device.id}`,
      topics: [...keys.keys()],
      spaces: [base],
      patterns: [],
      subscribe: [],
      serviceFilters: [`${base}/#`],
      decode(topic, payload, nowMs, out) {
        const k = keys.get(topic);
        if (!k) {
          if (ignored.has(topic)) return;
          out.rejections.push({ reason: 'unknown-quantity', field: topic.slice(base.length + 1), detail: `emonhub variable "${topic.slice(base.length + 1).slice(0, 40)}" is neither in options.keys nor in options.ignore` });
          return;
        }
        const text = payload.toString('utf8');
        const value = PLAIN_NUMBER.test(text) ? Number(text) : NaN;
        emit(out, site, device.id, k.quantity, k.name, Number.isFinite(value) ? value : text.slice(0, 40), { tsMs: nowMs, fromServer: true }, k.divisor, k.factor);
      },
    };
  },
};
