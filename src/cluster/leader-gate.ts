import { NotLeaderError, type StateStore } from '../alerts/state-port.js';
import type { Logger } from '../observability/logger.js';
import { PartList, type ServicePart } from '../parts.js';
import type { LeaderLease } from './leader-lease.js';

/**
 * The state store as a leader-only part sees it: every transaction carries the lease's current
 * fence and is refused (NotLeaderError) when this instance holds none; the store checks the fence
 * again inside the transaction, against the database.
 */
export function fencedState(store: Pick<StateStore, 'read' | 'transaction'>, lease: Pick<LeaderLease, 'fence'>): Pick<StateStore, 'read' | 'transaction'> {
  return {
    read: store.read,
    transaction: (work, options) => {
      const fence = lease.fence();
      if (!fence) return Promise.reject(new NotLeaderError(null));
      return store.transaction(work, { ...options, fence });
    },
  };
}

/**
 * Runs `parts` (rules scheduler, digest, outbox sender) only while this instance is the leader:
 * started in order when the lease is acquired, stopped in reverse when it is lost.
 */
export class LeaderGate {
  private running: PartList | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly parts: readonly ServicePart[], private readonly logger: Logger) {}

  readonly onAcquired = (): Promise<void> => this.enqueue(async () => {
    if (this.running) return;
    const list = new PartList(this.logger);
    this.running = list;
    try {
      for (const part of this.parts) await list.start(part);
    } catch (err) {
      this.logger.error({ err }, 'leader parts did not start');
      await list.stopAll();
      this.running = null;
    }
  });

  readonly onLost = (): Promise<void> => this.enqueue(async () => {
    const list = this.running;
    this.running = null;
    await list?.stopAll();
  });

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step, step);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
