/**
 * The viewers of the SSE benchmark, in their own process so that their parsing does not share the
 * event loop that times the PUBACKs: opens `count` live streams, prints `ready` once each has its
 * snapshot, then counts events and how long after its reading's own time (the publisher stamps it)
 * each `latest` event arrived; prints a JSON summary on SIGTERM.
 */
import { openSse, type SseStream } from '../../helpers/sse.js';

const { url, token, count } = JSON.parse(process.argv[2]!) as { url: string; token: string; count: number };
const delaysMs: number[] = [];
let events = 0;
let keepAlives = 0;
const streams: SseStream[] = [];
// Opened a few at a time: 200 connections at once would measure the accept queue, not the hub.
for (let i = 0; i < count; i += 20) {
  const batch = await Promise.all(Array.from({ length: Math.min(20, count - i) }, () => openSse(url, { authorization: `Bearer ${token}` })));
  streams.push(...batch);
}
await Promise.all(streams.map((s) => s.next((e) => e.event === 'latest', 60_000, 'snapshot')));
const snapshotEvents = streams.reduce((n, s) => n + s.events.length, 0);
for (const s of streams) {
  s.res.on('data', () => {
    // openSse parses first (its own 'data' listener was added before this one).
    while (s.events.length > 0) {
      const e = s.events.shift()!;
      if (e.event !== 'latest') continue;
      events += 1;
      const nowMs = Date.now();
      for (const v of (e.data as { values: Array<{ tsMs: number }> }).values) delaysMs.push(nowMs - v.tsMs);
    }
  });
}
for (const s of streams) s.events.length = 0;
console.log('ready');
process.on('SIGTERM', () => {
  keepAlives = streams.reduce((n, s) => n + s.comments(), 0);
  for (const s of streams) s.close();
  delaysMs.sort((x, y) => x - y);
  const p = (q: number) => (delaysMs.length ? delaysMs[Math.min(delaysMs.length - 1, Math.floor(q * delaysMs.length))]! : NaN);
  console.log(JSON.stringify({ streams: streams.length, snapshotEvents, events, values: delaysMs.length, keepAlives, deliveryP50Ms: p(0.5), deliveryP99Ms: p(0.99) }));
  process.exit(0);
});
