import type { Logger } from '../observability/logger.js';
import type { Reading } from '../model/reading.js';

/**
 * What happened inside the service, told once to whoever listens (zigbee2mqtt's lib/eventBus.ts).
 * Ingest says what it stored; rules and the live view react to it instead of polling the store.
 */
export interface ServiceEvents {
  /** Readings that are durable in the store (or in the spool, which replays into it). */
  readingsStored: { readings: readonly Reading[] };
  /** Alerts whose state changed (opened, updated, acknowledged, resolved). */
  alertChanged: { alertId: number; site: string };
}

type Handler<E extends keyof ServiceEvents> = (payload: ServiceEvents[E]) => void | Promise<void>;

/**
 * Synchronous fan-out. Each handler is wrapped: a throwing or rejecting handler is logged and the
 * others still run, so one broken listener cannot stop ingestion.
 */
export class EventBus {
  private readonly handlers = new Map<keyof ServiceEvents, Set<Handler<never>>>();

  constructor(private readonly logger?: Logger) {}

  on<E extends keyof ServiceEvents>(event: E, handler: Handler<E>): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler as Handler<never>);
    return () => set.delete(handler as Handler<never>);
  }

  emit<E extends keyof ServiceEvents>(event: E, payload: ServiceEvents[E]): void {
    const set = this.handlers.get(event);
    if (!set) return;
    for (const handler of set) {
      try {
        const result = (handler as Handler<E>)(payload);
        if (result instanceof Promise) result.catch((err: unknown) => this.logger?.error({ err, event }, 'event handler failed'));
      } catch (err) {
        this.logger?.error({ err, event }, 'event handler failed');
      }
    }
  }

  listenerCount(event: keyof ServiceEvents): number {
    return this.handlers.get(event)?.size ?? 0;
  }
}
