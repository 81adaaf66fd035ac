/**
 * Child process for leader-postgres.test.ts: one instance's leader side. It takes part in the
 * election and, while leader, opens the alert of one key and enqueues its mail, in one fenced
 * transaction, as the rules evaluator does: `leader <token>` when elected, `opened <id>` when it
 * opened the alert, `lost` when it steps down. The test SIGKILLs it.
 */
import { fencedState } from '../../src/cluster/leader-gate.js';
import { LeaderLease } from '../../src/cluster/leader-lease.js';
import { createLogger } from '../../src/observability/logger.js';
import { PgStateStore } from '../../src/storage/state/pg-state-store.js';

const [url, holder, ttl, renew] = process.argv.slice(2);
if (!url || !holder || !ttl || !renew) throw new Error('usage: leader-child <url> <holder> <ttlMs> <renewMs>');
const logger = createLogger('silent');
process.on('unhandledRejection', (e) => { process.stderr.write(`CHILD UNHANDLED ${(e as Error).stack}\n`); process.exit(3); });
const store = new PgStateStore({ connectionString: url, logger });
await store.start();
let timer: NodeJS.Timeout | undefined;
const lease = new LeaderLease({
  connectionString: url, holder, ttlMs: Number(ttl), renewEveryMs: Number(renew), logger,
  onAcquired: async (fence) => {
    process.stdout.write(`leader ${fence.token}\n`);
    const state = fencedState(store, lease);
    const cycle = async () => {
      try {
        const opened = await state.transaction(async (tx) => {
          const key = { site: 'lead', device: 'd', rule: 'r' };
          if (await tx.activeAlert(key)) return null;
          const a = await tx.insertAlert({ ...key, ruleType: 'threshold', quantity: 'co2_ppm', severity: 'warning', startMs: 1, openedMs: 1, updatedMs: 1, measured: 1, expected: 0, unit: 'ppm', summary: 'x' });
          await tx.addAlertEvent({ alertId: a.id, atMs: 1, kind: 'opened', by: null, detail: {} });
          await tx.enqueueMail({ messageId: `<lead-${a.id}@test>`, kind: 'alert-opened', alertId: a.id, recipient: 'a@test', subject: 's', text: 't', html: null, createdMs: 1, nextAttemptMs: 1 });
          return a.id;
        });
        if (opened !== null) process.stdout.write(`opened ${opened}\n`);
      } catch (err) {
        process.stdout.write(`refused ${(err as Error).name}\n`);
      }
      timer = setTimeout(() => void cycle(), 100);
    };
    void cycle();
  },
  onLost: async () => {
    clearTimeout(timer);
    process.stdout.write('lost\n');
  },
});
await lease.start();
process.stdout.write("ready\n");
