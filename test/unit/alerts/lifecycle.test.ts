import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMailComposer } from '../../../src/alerts/email/notifier.js';
import { OutboxNotifier } from '../../../src/alerts/email/outbox-notifier.js';
import { acknowledgeAlert, AlertLifecycle, AlertStateError, type AlertSource } from '../../../src/alerts/lifecycle.js';
import { IDLE, stepMachine, type ConditionState } from '../../../src/rules/condition-machine.js';
import type { Judgement } from '../../../src/rules/judgement.js';
import { SqliteStateStore } from '../../../src/storage/state/sqlite-state-store.js';
import { HOUR, RECIPIENT, testConfig } from '../rules/harness.js';

const T0 = Date.UTC(2026, 10, 23, 0, 0); // a Monday
const config = testConfig();
const site = config.sites[0]!;
const source: AlertSource = {
  key: { site: 'site-a', device: 'tgbt', rule: 'energy-out-of-hours' }, site, ruleType: 'out-of-hours', quantity: 'energy_kwh', severity: 'warning',
  unit: 'kWh', summary: 'out-of-hours on energy_kwh', cooldownMs: 6 * HOUR, notifyOnResolve: true,
};

/** One hour judged: trigger above 100 kWh, clear at or below 80 (in between: neither). */
function hour(h: number, kwh: number): Judgement {
  return { startMs: T0 + h * HOUR, endMs: T0 + (h + 1) * HOUR, trigger: kwh > 100, clear: kwh <= 80, measured: kwh, expected: 100 };
}

describe('the alert lifecycle on the real SQLite state store (in memory)', () => {
  let store: SqliteStateStore;
  let lifecycle: AlertLifecycle;
  let machine: ConditionState;

  beforeEach(async () => {
    store = new SqliteStateStore({ dataDir: ':memory:' });
    await store.start();
    lifecycle = new AlertLifecycle(new OutboxNotifier(createMailComposer({ publicUrl: 'https://energie.example.fr' })));
    machine = { ...IDLE };
  });
  afterEach(() => store.stop());

  /** One hourly evaluation cycle per judgement, each in its own transaction, as the evaluator runs them. */
  async function cycles(judgements: Judgement[], options = { forMs: 2 * HOUR, clearForMs: 2 * HOUR }) {
    for (const j of judgements) {
      const stepped = stepMachine(machine, [j], options);
      machine = stepped.state;
      await store.transaction(async (tx) => {
        await lifecycle.apply(tx, source, stepped.transitions);
        await lifecycle.flush(tx, j.endMs);
      });
    }
  }
  const alerts = () => store.read.alerts({ limit: 100 });
  const mails = () => store.read.dueMails(Number.MAX_SAFE_INTEGER, 100);
  const range = (from: number, to: number, kwh: (h: number) => number) => Array.from({ length: to - from }, (_, i) => hour(from + i, kwh(from + i)));

  it('a condition lasting three days of hourly judgements is one alert and one e-mail', async () => {
    await cycles(range(0, 72, (h) => 150 + (h % 7)));
    const list = await alerts();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ state: 'open', startMs: T0, openedMs: T0 + 2 * HOUR, flapCount: 0, measured: 156 });
    const m = await mails();
    expect(m).toHaveLength(1);
    expect(m[0]).toMatchObject({ kind: 'alert-opened', recipient: RECIPIENT, alertId: list[0]!.id });
    // ...and resolving is one more mail, not one per hour
    await cycles(range(72, 80, () => 50));
    expect(await alerts()).toMatchObject([{ state: 'resolved', resolvedMs: T0 + 74 * HOUR }]);
    expect((await mails()).map((x) => x.kind)).toEqual(['alert-opened', 'alert-resolved']);
  });

  it('hysteresis: a value hovering between clearAt and the threshold does not flap', async () => {
    await cycles(range(0, 3, () => 150));
    // 48 hours going 95, 105, 85, 101… around the threshold, never down to clearAt (80)
    await cycles(range(3, 51, (h) => [95, 105, 85, 101][h % 4]!));
    const list = await alerts();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ state: 'open', flapCount: 0 });
    expect(await mails()).toHaveLength(1);
    const kinds = (await store.read.alertEvents(list[0]!.id)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'opened' || k === 'resolved' || k === 'reopened')).toEqual(['opened']);
  });

  it('flapping within the cool-down re-opens the same alert with flapCount + 1 and no new mail', async () => {
    await cycles([...range(0, 3, () => 150), ...range(3, 6, () => 50)]);
    const [resolved] = await alerts();
    expect(resolved).toMatchObject({ state: 'resolved', resolvedMs: T0 + 5 * HOUR });
    // back 2 h later (opens at 10 h: within the 6 h cool-down)
    await cycles([...range(6, 8, () => 50), ...range(8, 11, () => 150)]);
    let list = await alerts();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: resolved!.id, state: 'open', resolvedMs: null, flapCount: 1 });
    expect((await mails()).map((m) => m.kind)).toEqual(['alert-opened', 'alert-resolved']);
    // a second flap counts again
    await cycles([...range(11, 14, () => 50), ...range(14, 17, () => 150)]);
    list = await alerts();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ flapCount: 2, state: 'open' });
    expect((await store.read.alertEvents(list[0]!.id)).filter((e) => e.kind === 'reopened')).toHaveLength(2);
    expect((await mails()).filter((m) => m.kind === 'alert-opened')).toHaveLength(1);
  });

  it('a recurrence after the cool-down is a new alert with its own mail', async () => {
    await cycles([...range(0, 3, () => 150), ...range(3, 6, () => 50)]);
    await cycles([...range(6, 20, () => 50), ...range(20, 23, () => 150)]);
    const list = await alerts();
    expect(list).toHaveLength(2);
    expect(list.map((a) => a.flapCount)).toEqual([0, 0]);
    expect((await mails()).filter((m) => m.kind === 'alert-opened')).toHaveLength(2);
  });

  it('a silence suppresses the mail but the alert is recorded, with a `silenced` history line', async () => {
    await store.transaction((tx) => tx.insertSilence({ site: 'site-a', device: null, fromMs: T0, toMs: T0 + 12 * HOUR, reason: 'maintenance', createdBy: 'admin', createdMs: T0 }));
    await cycles([...range(0, 3, () => 150), ...range(3, 6, () => 50)]);
    const list = await alerts();
    expect(list).toHaveLength(1);
    expect(list[0]!.state).toBe('resolved');
    expect(await mails()).toEqual([]);
    expect((await store.read.alertEvents(list[0]!.id)).map((e) => e.kind)).toContain('silenced');
  });

  it('a silence of another device does not suppress the mail', async () => {
    await store.transaction((tx) => tx.insertSilence({ site: 'site-a', device: 'salle', fromMs: T0, toMs: T0 + 12 * HOUR, reason: 'capteur', createdBy: 'admin', createdMs: T0 }));
    await cycles(range(0, 3, () => 150));
    expect(await mails()).toHaveLength(1);
  });

  it('acknowledge (by, comment) then resolve', async () => {
    await cycles(range(0, 3, () => 150));
    const [open] = await alerts();
    const acked = await store.transaction((tx) => acknowledgeAlert(tx, open!.id, 'marie', 'chauffage forcé, vu avec le prestataire', T0 + 3 * HOUR));
    expect(acked).toMatchObject({ state: 'acknowledged', ackBy: 'marie', ackComment: 'chauffage forcé, vu avec le prestataire', ackMs: T0 + 3 * HOUR });
    // acknowledging twice keeps the first
    const twice = await store.transaction((tx) => acknowledgeAlert(tx, open!.id, 'paul', 'autre', T0 + 4 * HOUR));
    expect(twice).toMatchObject({ ackBy: 'marie' });
    // still active for the key: the condition going on updates it, no new alert
    await cycles(range(3, 6, () => 170));
    expect(await alerts()).toMatchObject([{ id: open!.id, state: 'acknowledged', measured: 170 }]);
    await cycles(range(6, 8, () => 50));
    const [done] = await alerts();
    expect(done).toMatchObject({ state: 'resolved', ackBy: 'marie', resolvedMs: T0 + 8 * HOUR });
    expect((await store.read.alertEvents(open!.id)).map((e) => e.kind)).toEqual(expect.arrayContaining(['opened', 'acknowledged', 'resolved']));
    await expect(store.transaction((tx) => acknowledgeAlert(tx, open!.id, 'marie', 'trop tard', T0 + 9 * HOUR))).rejects.toBeInstanceOf(AlertStateError);
  });

  it('an episode seen again (late data rejudging) is not a second alert nor a second mail', async () => {
    await cycles([...range(0, 3, () => 150), ...range(3, 6, () => 50)]);
    // the replay of the same hours (the evaluator judging them again from an idle machine)
    machine = { ...IDLE };
    await cycles([...range(0, 3, () => 150), ...range(3, 6, () => 50)]);
    expect(await alerts()).toHaveLength(1);
    expect((await mails()).map((m) => m.kind)).toEqual(['alert-opened', 'alert-resolved']);
  });

  it('without a `notifications` recipient the alert opens with no mail', async () => {
    const bare = { ...source, site: testConfig({ notifications: false }).sites[0]! };
    await store.transaction(async (tx) => {
      await lifecycle.apply(tx, bare, [{ kind: 'open', startMs: T0, atMs: T0 + HOUR, measured: 150, expected: 100 }]);
    });
    expect(await alerts()).toHaveLength(1);
    expect(await mails()).toEqual([]);
  });
});
