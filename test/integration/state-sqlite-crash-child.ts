/**
 * Child process for state-sqlite.test.ts: commits transactions (an alert, its history line and its
 * mail) as fast as it can, printing `committed <n>` after each COMMIT, until it is SIGKILLed.
 */
import { SqliteStateStore } from '../../src/storage/state/sqlite-state-store.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: state-sqlite-crash-child <dataDir>');
const store = new SqliteStateStore({ dataDir });
await store.start();
for (let n = 0; ; n += 1) {
  await store.transaction(async (tx) => {
    const a = await tx.insertAlert({ site: 'crash', device: `d${n}`, rule: 'r', ruleType: 'threshold', severity: 'warning', startMs: n, openedMs: n, updatedMs: n, measured: n, expected: 0, unit: 'ppm', summary: 'x' });
    await tx.addAlertEvent({ alertId: a.id, atMs: n, kind: 'opened', by: null, detail: {} });
    await tx.enqueueMail({ messageId: `<crash-${n}@test>`, kind: 'alert-opened', alertId: a.id, recipient: 'a@test', subject: 's', text: 't', html: null, createdMs: n, nextAttemptMs: n });
  });
  process.stdout.write(`committed ${n}\n`);
}
