import { createMailComposer } from '../../../src/alerts/email/notifier.js';
import { OutboxNotifier } from '../../../src/alerts/email/outbox-notifier.js';
import { AlertLifecycle } from '../../../src/alerts/lifecycle.js';
import { configSchema, type AppConfig } from '../../../src/config/schema.js';
import type { Reading } from '../../../src/model/reading.js';
import { RuleEvaluator } from '../../../src/rules/evaluator.js';
import { defaultRegistry } from '../../../src/rules/registry.js';
import { compileRules } from '../../../src/rules/rule-schema.js';
import type { Cadence } from '../../../src/rules/rule-type.js';
import { bindRules } from '../../../src/rules/subjects.js';
import { SqliteStateStore } from '../../../src/storage/state/sqlite-state-store.js';
import { MemoryQuery } from '../energy/helpers/memory-query.js';

export const MIN = 60_000;
export const HOUR = 3_600_000;
export const RECIPIENT = 'gestion@site.example.fr';

/** One site with a multi-sensor and a main meter; mailed to RECIPIENT (warning and critical). */
export function testConfig(overrides: { timezone?: string; notifications?: boolean; openingHours?: { from: string; to: string } } = {}): AppConfig {
  return configSchema.parse({
    sites: [
      {
        id: 'site-a',
        name: 'Site A',
        usage: 'office',
        floorAreaM2: 1000,
        timezone: overrides.timezone ?? 'Europe/Paris',
        calendar: { workingDays: [1, 2, 3, 4, 5], openingHours: overrides.openingHours ?? { from: '08:00', to: '18:00' } },
        devices: [
          { id: 'salle', kind: 'multi-sensor', quantities: ['co2_ppm', 'temperature_c'], secret: 'test-secret' },
          { id: 'tgbt', kind: 'electricity-meter', quantities: ['energy_kwh'], secret: 'test-secret' },
        ],
        ...(overrides.notifications === false ? {} : { notifications: [{ email: RECIPIENT }] }),
      },
    ],
  });
}

/**
 * The live evaluator, lifecycle and outbox notifier over an in-memory reading query and the real
 * SQLite state store in memory: what the service wires, without MQTT or a database file.
 */
export async function rulesHarness(rules: Record<string, unknown>[], config: AppConfig = testConfig()) {
  const registry = defaultRegistry();
  const compiled = compileRules(rules, registry, config, 'test rules');
  const query = new MemoryQuery();
  const state = new SqliteStateStore({ dataDir: ':memory:' });
  await state.start();
  const notifier = new OutboxNotifier(createMailComposer({ publicUrl: 'https://energie.example.fr' }));
  const lifecycle = new AlertLifecycle(notifier);
  const makeEvaluator = () => new RuleEvaluator({ bindings: bindRules(config, compiled, []), query, state, lifecycle });
  let evaluator = makeEvaluator();
  return {
    config,
    query,
    state,
    get evaluator() {
      return evaluator;
    },
    /** A new evaluator on the same state (a restart: nothing in memory survives but the store). */
    restart() {
      evaluator = makeEvaluator();
    },
    /** Stores readings and tells the evaluator, as the ingest's "readings stored" event does. */
    store(readings: Reading[]) {
      query.add(readings);
      evaluator.noteStored(readings);
    },
    evaluate: (nowMs: number, cadence: Cadence = 'minute') => evaluator.evaluate(nowMs, cadence),
    alerts: () => state.read.alerts({ limit: 1000 }),
    /** Every mail ever enqueued (sent or not). */
    async mails() {
      const due = await state.read.dueMails(Number.MAX_SAFE_INTEGER, 1000);
      return due;
    },
    stop: () => state.stop(),
  };
}

export function co2(tsMs: number, value: number): Reading {
  return { site: 'site-a', device: 'salle', quantity: 'co2_ppm', tsMs, value };
}
