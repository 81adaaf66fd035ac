import { afterEach, describe, expect, it } from 'vitest';
import { CO2_RULE, ClockedService, MIN } from '../helpers/rules-service.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';

/**
 * "For 15 min" across a restart of the whole service (embedded broker, DuckDB, SQLite state on
 * disk): the condition's start is persisted with the rule state, so the alert opens when 15 min
 * of readings above have accumulated, counting those before the restart, and only once.
 */
describe('a restart in the middle of a rule duration', () => {
  let dir: TempDir | null = null;
  let svc: ClockedService | null = null;
  afterEach(async () => {
    await svc?.stop();
    await dir?.remove();
  });

  it('opens on time (15 min after the first reading above), once, after a restart at minute 10', async () => {
    dir = await createTempDir('sbe-rules-restart-');
    const T0 = Math.floor(Date.now() / MIN) * MIN - 6 * 60 * MIN;
    svc = new ClockedService({ dataDir: dir.path, startMs: T0, rules: [CO2_RULE] });
    let service = await svc.start();
    await svc.minutes(T0, 0, 9, () => 1700);
    const pending = (await service.state.read.ruleState({ site: 'site-a', device: 'salle', rule: 'co2-high' })) as { machine: { phase: string; sinceMs: number } };
    expect(pending.machine).toMatchObject({ phase: 'pending', sinceMs: T0 });
    await svc.stop();

    // down for two minutes (no reading), then back on the same data directory
    svc.nowMs = T0 + 12 * MIN;
    service = await svc.start();
    await service.scheduler.run('minute');
    expect(await service.state.read.alerts({})).toEqual([]);
    await svc.minutes(T0, 12, 14, () => 1700);
    expect(await service.state.read.alerts({})).toEqual([]);
    await svc.minutes(T0, 15, 15, () => 1700);
    const [alert, ...others] = await service.state.read.alerts({});
    expect(others).toEqual([]);
    expect(alert).toMatchObject({ rule: 'co2-high', state: 'open', startMs: T0, openedMs: T0 + 15 * MIN + 1, measured: 1700 });
    // and the condition going on for another hour stays that one alert, with one mail in the outbox
    await svc.minutes(T0, 16, 75, () => 1750, 5);
    expect(await service.state.read.alerts({})).toHaveLength(1);
    expect(await service.state.read.outboxDepth()).toBe(1);
  });
});
