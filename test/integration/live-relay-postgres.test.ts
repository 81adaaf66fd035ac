/**
 * The live relay on Debian's postgres (src/cluster/live-relay.ts): values one instance stored
 * reach another, never itself; a batch larger than one NOTIFY payload arrives whole; a foreign
 * notification on the channel is ignored; and after PostgreSQL restarts, both listen again.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_CHANNEL, LiveRelay } from '../../src/cluster/live-relay.js';
import type { LiveReading } from '../../src/cluster/live-wire.js';
import { EventBus } from '../../src/events/event-bus.js';
import type { Reading } from '../../src/model/reading.js';
import { createLogger } from '../../src/observability/logger.js';
import { waitUntil } from '../helpers/mqtt.js';
import { startPostgres, type PostgresHandle } from '../helpers/postgres.js';

const T0 = Date.UTC(2026, 11, 1, 12);
const power = (i: number, device = `compteur-${i}`): Reading => ({ site: 'cleon-bureaux', device, quantity: 'power_w', tsMs: T0 + i, value: 100 + i });

describe('live relay through LISTEN/NOTIFY', () => {
  let server: PostgresHandle;
  let url: string;
  const relays: LiveRelay[] = [];
  const handles: Array<{ r: LiveRelay; events: EventBus; got: LiveReading[] }> = [];
  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase('live_relay');
  });
  afterAll(async () => {
    for (const r of relays) await r.stop();
    await server?.stop();
  });

  const relay = async (instance: string) => {
    const events = new EventBus();
    const got: LiveReading[] = [];
    const r = new LiveRelay({ connectionString: url, instance, events, deliver: (rs) => got.push(...rs), logger: createLogger('silent'), reconnectMs: 200 });
    relays.push(r);
    await r.start();
    handles.push({ r, events, got });
    return { r, events, got };
  };

  it('relays the latest value per series to the other instance only, in payloads that fit', async () => {
    const a = await relay('a');
    const b = await relay('b');
    // 3,000 series in one stored batch: several payloads; and one series twice, its latest kept.
    b.events.emit('readingsStored', { readings: [...Array.from({ length: 3_000 }, (_, i) => power(i)), { ...power(7), tsMs: T0 - 1, value: -1 }] });
    await waitUntil(() => a.got.length >= 3_000, 20_000, 'A gets the 3,000 values');
    // A can hear the notifications before B's statement returns (PostgreSQL tells listeners on
    // commit), so B's count is waited for, not read at once.
    await waitUntil(() => b.r.counts.sent > 0, 10_000, 'B\'s NOTIFY statement returned');
    expect(b.r.counts.sent).toBeGreaterThan(1);
    expect(a.got.find((v) => v.device === 'compteur-7')).toEqual(power(7));
    await new Promise((r) => setTimeout(r, 500));
    expect(a.got).toHaveLength(3_000);
    // B heard its own notifications and kept them from its viewers.
    expect(b.got).toEqual([]);
    expect(b.r.counts.skippedOwn).toBe(b.r.counts.sent);

    const db = new pg.Client({ connectionString: url });
    await db.connect();
    await db.query('SELECT pg_notify($1, $2)', [LIVE_CHANNEL, '{"i":"x","s":{"cleon-bureaux":[["d","not-a-quantity",1,2]]}}']);
    await waitUntil(() => a.r.counts.invalid === 1, 10_000, 'the foreign notification seen');
    await db.end();
    expect(a.got).toHaveLength(3_000);
  });

  it('listens again after PostgreSQL restarts, and relays from there', async () => {
    const [a, b] = [handles[0]!, handles[1]!];
    await server.crash();
    await waitUntil(() => !a.r.isListening() && !b.r.isListening(), 20_000, 'both see the connection lost');
    // Stored while PostgreSQL is down: not relayed (best effort), and nothing piles up.
    b.events.emit('readingsStored', { readings: [power(1, 'during-outage')] });
    await server.restart();
    await waitUntil(() => a.r.isListening() && b.r.isListening(), 60_000, 'both listening again');
    b.events.emit('readingsStored', { readings: [power(2, 'after-restart')] });
    await waitUntil(() => a.got.some((v) => v.device === 'after-restart'), 20_000, 'a value relayed after the restart');
    expect(a.got.some((v) => v.device === 'during-outage')).toBe(false);
  });

  it('two processes misconfigured with one INSTANCE_ID still get each other\'s values (told apart by server process)', async () => {
    const first = handles[0]!;
    const twin = await relay('a');
    const before = first.got.length;
    twin.events.emit('readingsStored', { readings: [power(3, 'from-the-twin')] });
    await waitUntil(() => first.got.length > before, 20_000, 'the twin\'s value delivered');
    expect(first.got.at(-1)).toMatchObject({ device: 'from-the-twin' });
    expect(twin.got.some((v) => v.device === 'from-the-twin')).toBe(false);
  });
});
