/**
 * The viewers of the SSE benchmark, in their own process so that their parsing does not share the
 * event loop that times the PUBACKs. Started once and driven by lines on stdin, so that phases with
 * and without viewers can alternate every few seconds without a process start between them:
 * `open` opens `count` live streams (unless they are open) and prints `opened` once each has its
 * snapshot; `close` closes them and prints `closed`. While open, it counts events and how long after its reading's own time
 * (the publisher stamps it) each `latest` event arrived; prints a JSON summary on SIGTERM.
 */
import { createInterface } from 'node:readline';
import { openSse, type SseStream } from '../../helpers/sse.js';

const { url, token, count } = JSON.parse(process.argv[2]!) as { url: string; token: string; count: number };
const delaysMs: number[] = [];
let events = 0;
let opened = 0;
let snapshotEvents = 0;
let streams: SseStream[] = [];

async function openAll(): Promise<void> {
  // ABBA rounds put two phases with viewers side by side: they stay connected across both.
  if (streams.length > 0) return;
  // Opened a few at a time: 200 connections at once would measure the accept queue, not the hub.
  for (let i = 0; i < count; i += 20) {
    const batch = await Promise.all(Array.from({ length: Math.min(20, count - i) }, () => openSse(url, { authorization: `Bearer ${token}` })));
    streams.push(...batch);
  }
  await Promise.all(streams.map((s) => s.next((e) => e.event === 'latest', 60_000, 'snapshot')));
  opened += streams.length;
  snapshotEvents += streams.reduce((n, s) => n + s.events.length, 0);
  for (const s of streams) {
    s.events.length = 0;
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
}

function closeAll(): void {
  for (const s of streams) s.close();
  streams = [];
}

// One command at a time: the benchmark waits for each answer before the next.
let queue = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  queue = queue.then(async () => {
    if (line === 'open') {
      await openAll();
      console.log('opened');
    } else if (line === 'close') {
      closeAll();
      console.log('closed');
    } else console.log(`unknown command ${JSON.stringify(line)}`);
  });
});
console.log('ready');
process.on('SIGTERM', () => {
  closeAll();
  delaysMs.sort((x, y) => x - y);
  const p = (q: number) => (delaysMs.length ? delaysMs[Math.min(delaysMs.length - 1, Math.floor(q * delaysMs.length))]! : NaN);
  console.log(JSON.stringify({ streams: opened, snapshotEvents, events, values: delaysMs.length, deliveryP50Ms: p(0.5), deliveryP99Ms: p(0.99) }));
  process.exit(0);
});
