import { isCumulative, isQuantityName, type QuantityName } from '../config/quantities.js';
import type { Reading } from '../model/reading.js';
import type { DeviceDirectory } from './device-directory.js';
import { senmlRecordSchema, type SenmlRecord } from './schemas.js';
import { resolveSenmlTimeMs } from './timestamp.js';
import type { Rejection } from './types.js';
import { acceptedUnits, convertToQuantityUnit, describeValue, quantityForBaseName, quantityUnit } from './units.js';

/**
 * SenML packs (RFC 8428, JSON representation). Rules (README quotes them):
 *
 * - Base fields `bn`, `bt`, `bu`, `bv`, `bs` apply to the records that follow until replaced (§4.6).
 * - Name -> quantity: the resolved name `bn + n` is cut after its last `/` or `:`; the last
 *   segment is either a quantity name (`energy_kwh`, `power_w`, …; the unit, if given, must
 *   convert to the quantity's unit) or a base name `energy`, `power`, `temperature`,
 *   `humidity`, `co2`, `occupancy`, `gas`, `water`, `heat`, whose value is converted from its
 *   unit (`Wh`/`kWh`, `W`/`kW`, `Cel`, `%RH`, `ppm`, `m3`; none = the quantity's own unit).
 *   The device itself is the one of the topic: names never address another device.
 * - Times are SECONDS: `bt + t`, absolute when >= 2**28, else relative to the receive time
 *   (§4.5.3); relative and absent times are flagged `tsFromServer`.
 * - The value is `bv + v`; a record with a sum `s` and no `v` gives `bs + s` as the index of a
 *   cumulative quantity (a sum over time of energy is what a meter index is).
 *   `vs`, `vb`, `vd` are not numbers and are refused.
 * - A record carrying only base fields configures the pack and yields no reading.
 * - Each record is judged alone: a bad record is rejected, the others are kept.
 */
export interface DecodeContext {
  site: string;
  device: string;
  directory: DeviceDirectory;
  nowMs: number;
}

export interface Decoded {
  readings: Reading[];
  rejections: Rejection[];
}

export function resolveSenmlQuantity(name: string): QuantityName | undefined {
  const cut = Math.max(name.lastIndexOf('/'), name.lastIndexOf(':'));
  const last = cut >= 0 ? name.slice(cut + 1) : name;
  return isQuantityName(last) ? last : quantityForBaseName(last);
}

/**
 * The record as it is when it plainly satisfies senmlRecordSchema (an object whose string and
 * number labels have those types), else null. Most packs are well formed: this spares them
 * zod's copy of every record, a third of the decoding time of a 10-record pack.
 */
export function wellFormedRecord(value: unknown): SenmlRecord | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const r = value as Record<string, unknown>;
  for (const key of STRING_LABELS) if (r[key] !== undefined && typeof r[key] !== 'string') return null;
  for (const key of NUMBER_LABELS) if (r[key] !== undefined && typeof r[key] !== 'number') return null;
  return r as SenmlRecord;
}

const STRING_LABELS = ['bn', 'bu', 'n', 'u'] as const;
const NUMBER_LABELS = ['bv', 'bs'] as const;

/**
 * A record's label in a rejection, built only when rejecting: describing the name costs as much
 * as decoding the record. A module function, not a per-record closure (under tsx each named
 * closure also costs a `__name` defineProperty call).
 */
function labelOf(index: number, name: string): string {
  return `${entryName(index)} (${describeValue(name)})`;
}

/** `entry 3`: named only when rejecting, so a well-formed record allocates no label. */
function entryName(index: number): string {
  return `entry ${index}`;
}

export function decodeSenml(pack: readonly unknown[], ctx: DecodeContext, out: Decoded): void {
  let bn = '';
  let btS = 0;
  let bu: string | undefined;
  let bv = 0;
  let bs = 0;
  for (let i = 0; i < pack.length; i++) {
    let rec = wellFormedRecord(pack[i]);
    if (rec === null) {
      // Only a record that fails the quick check goes through zod, which says what is wrong.
      const parsed = senmlRecordSchema.safeParse(pack[i]);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue && issue.path.length > 0 ? ` "${issue.path.join('.')}"` : '';
        out.rejections.push({ reason: 'malformed-payload', field: entryName(i), detail: `${entryName(i)}: not a SenML record${where}: ${issue?.message ?? 'invalid'}` });
        continue;
      }
      rec = parsed.data;
    }
    if (rec.bn !== undefined) bn = rec.bn;
    if (rec.bu !== undefined) bu = rec.bu;
    if (rec.bv !== undefined) bv = rec.bv;
    if (rec.bs !== undefined) bs = rec.bs;
    if (rec.bt !== undefined) {
      if (typeof rec.bt !== 'number' || !Number.isFinite(rec.bt)) {
        // A bad base time poisons every following record's time: reject it and stop here.
        out.rejections.push({ reason: 'invalid-timestamp', field: entryName(i), detail: `${entryName(i)}: "bt" ${describeValue(rec.bt)} is not a number of seconds` });
        for (let j = i + 1; j < pack.length; j++) {
          out.rejections.push({ reason: 'invalid-timestamp', field: `entry ${j}`, detail: `entry ${j}: follows an invalid "bt"` });
        }
        return;
      }
      btS = rec.bt;
    }
    const hasValue = rec.v !== undefined || rec.s !== undefined || rec.vs !== undefined || rec.vb !== undefined || rec.vd !== undefined;
    if (!hasValue && rec.n === undefined) continue; // base-only record
    const name = bn + (rec.n ?? '');
    const quantity = resolveSenmlQuantity(name);
    if (quantity === undefined) {
      out.rejections.push({ reason: 'unknown-quantity', field: entryName(i), detail: `${labelOf(i, name)}: the name does not end with a known quantity` });
      continue;
    }
    if (!ctx.directory.declares(ctx.site, ctx.device, quantity)) {
      out.rejections.push({ reason: 'undeclared-quantity', field: entryName(i), detail: `${labelOf(i, name)}: device "${ctx.device}" does not declare "${quantity}"` });
      continue;
    }
    let value: number;
    if (rec.v !== undefined) {
      if (typeof rec.v !== 'number' || !Number.isFinite(rec.v)) {
        out.rejections.push({ reason: 'invalid-value', field: entryName(i), detail: `${labelOf(i, name)}: value ${describeValue(rec.v)} is not a finite number` });
        continue;
      }
      value = bv + rec.v;
    } else if (rec.s !== undefined && isCumulative(quantity)) {
      if (typeof rec.s !== 'number' || !Number.isFinite(rec.s)) {
        out.rejections.push({ reason: 'invalid-value', field: entryName(i), detail: `${labelOf(i, name)}: sum ${describeValue(rec.s)} is not a finite number` });
        continue;
      }
      value = bs + rec.s;
    } else {
      out.rejections.push({ reason: 'invalid-value', field: entryName(i), detail: `${labelOf(i, name)}: no numeric value ("v")` });
      continue;
    }
    const unit = rec.u ?? bu;
    const converted = convertToQuantityUnit(quantity, unit, value);
    if (converted === undefined) {
      out.rejections.push({
        reason: 'unsupported-unit',
        field: entryName(i),
        detail: `${labelOf(i, name)}: unit ${describeValue(unit)} does not fit "${quantity}" (${quantityUnit(quantity)}; accepted: ${acceptedUnits(quantity).join(', ')})`,
      });
      continue;
    }
    if (rec.t !== undefined && (typeof rec.t !== 'number' || !Number.isFinite(rec.t))) {
      out.rejections.push({ reason: 'invalid-timestamp', field: entryName(i), detail: `${labelOf(i, name)}: "t" ${describeValue(rec.t)} is not a number of seconds` });
      continue;
    }
    const time = resolveSenmlTimeMs(btS + ((rec.t as number | undefined) ?? 0), ctx.nowMs);
    if (!time.ok) {
      out.rejections.push({ reason: time.reason, field: entryName(i), detail: `${labelOf(i, name)}: ${time.detail}` });
      continue;
    }
    const reading: Reading = { site: ctx.site, device: ctx.device, quantity, tsMs: time.tsMs, value: converted };
    if (time.relative) reading.tsFromServer = true;
    out.readings.push(reading);
  }
}
