import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { siteCalendar } from '../../../src/energy/calendar.js';
import type { Reading } from '../../../src/model/reading.js';
import { loadRuleInput } from '../../../src/rules/input-source.js';
import type { RuleInput, RuleSubject } from '../../../src/rules/rule-type.js';
import { MeterHourlyShare } from '../../../src/rules/shared-hourly.js';
import { MemoryQuery } from '../energy/helpers/memory-query.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 5);
const TO = T0 + 6 * 168 * H;
// The lookbacks of the shipped energy rules (baseline-deviation 6 weeks + 1 h, out-of-hours 6
// weeks, spike-drop 4 weeks + 1 h, flatline 12 + 168 h), widest first, from the last hour.
const WINDOWS = [1009, 1008, 673, 180].map((h) => TO - H - h * H);

const site = configSchema.parse({
  sites: [{ id: 'office', name: 'Office', usage: 'office', floorAreaM2: 1000, timezone: 'Europe/Paris', country: 'FR', devices: [{ id: 'meter', kind: 'electricity-meter', quantities: ['energy_kwh'], secret: 'test-secret', maxPowerW: 100_000 }] }],
}).sites[0]!;
const subject: RuleSubject = { site, device: site.devices[0]!, quantity: 'energy_kwh', calendar: siteCalendar(site) };

/** An hourly index from T0 - 2 weeks; `edit` changes the reading list (anomalies). */
function meter(edit: (rows: Reading[]) => void = () => {}): MemoryQuery {
  const rows: Reading[] = [];
  let index = 5000;
  for (let t = T0 - 2 * 168 * H; t <= TO; t += H) {
    index += 10 + ((t / H) % 5);
    rows.push({ site: 'office', device: 'meter', quantity: 'energy_kwh', tsMs: t, value: index });
  }
  edit(rows);
  return new MemoryQuery().add(rows);
}

/** Every value, NaN and signed zero included. */
const values = (input: RuleInput) => (input.kind === 'hourly' ? Array.from(input.series.values, (v) => (Object.is(v, -0) ? '-0' : String(v))) : []);

async function compare(query: MemoryQuery): Promise<number> {
  let reads = 0;
  const counted = { readings: (s: Parameters<MemoryQuery['readings']>[0]) => ((reads += 1), query.readings(s)), readingAtOrBefore: query.readingAtOrBefore.bind(query), buckets: query.buckets.bind(query) };
  const share = new MeterHourlyShare(counted);
  for (const from of WINDOWS) {
    const shared = await share.load(subject, from, TO, WINDOWS[0]!);
    const own = await loadRuleInput('hourly', query, subject, from, TO);
    expect(shared.kind === 'hourly' && shared.series.startMs).toBe(from);
    expect(values(shared)).toEqual(values(own));
  }
  return reads;
}

describe('a meter hourly consumption shared by the energy rules of a cycle', () => {
  it('is read once for all windows when the readings are a clean chain, with the values of each own read', async () => {
    expect(await compare(meter())).toBe(1);
  });

  it('gives each window the values of its own read around a reset, a backward step, a spike and a gap', async () => {
    const at = (h: number) => TO - h * H;
    const reads = await compare(
      meter((rows) => {
        const i = (h: number) => rows.findIndex((r) => r.tsMs === at(h));
        rows[i(900)]!.value = 3; // reset inside the widest window only
        rows[i(400)]!.value -= 50; // backward step inside the spike-drop window
        rows[i(190)]!.value += 1e6; // implausible step (maxPowerW) just before the flatline window
        rows.splice(i(185), 3); // a gap at the flatline window's start
      }),
    );
    // The anomalies break the chain: each shorter window read on its own.
    expect(reads).toBe(4);
  });

  it('reads its own window when the readings of the tail are spaced differently (the gap threshold is the median interval)', async () => {
    // Quarter-hourly readings in the first weeks, hourly after: the median interval of the widest
    // window is 15 min, that of the flatline window 1 h.
    const query = meter((rows) => {
      const early = rows.filter((r) => r.tsMs < TO - 400 * H);
      const extra: Reading[] = [];
      for (let k = 1; k < early.length; k++) {
        for (const q of [1, 2, 3]) extra.push({ ...early[k - 1]!, tsMs: early[k - 1]!.tsMs + q * 900_000, value: early[k - 1]!.value + ((early[k]!.value - early[k - 1]!.value) * q) / 4 });
      }
      rows.push(...extra);
      rows.sort((a, b) => a.tsMs - b.tsMs);
    });
    expect(await compare(query)).toBeGreaterThan(1);
  });
});
