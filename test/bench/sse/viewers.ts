/**
 * The viewers of the SSE benchmark, in their own process so that their parsing does not share the
 * event loop that times the PUBACKs. Started once and driven by lines on stdin, so that phases with
 * and without viewers can alternate every few seconds without a process start between them:
 * `open` opens `count` live streams (unless they are open) and prints `opened` once each has its
 * snapshot; `close` closes them and prints `closed`. While open, it counts events and how long after its reading's own time
 * (the publisher stamps it) each `latest` event arrived; prints a JSON summary on SIGTERM.
 * Only the first SAMPLED streams are parsed: the others are read and their events counted, not
 * decoded, since the viewers stand for browsers on other machines and their parsing here would
 * be this machine's CPU taken from the service (0.05-0.06 core for 200 parsed streams, 2026-12-02).
 */
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { openSse, type SseStream } from '../../helpers/sse.js';

const { url, token, count } = JSON.parse(process.argv[2]!) as { url: string; token: string; count: number };
const delaysMs: number[] = [];
let events = 0;
let opened = 0;
let snapshotEvents = 0;
let streams: SseStream[] = [];
/** Streams read but not parsed: their requests, to close them. */
let lean: Array<() => void> = [];
let leanEvents = 0;
const SAMPLED = 10;
const EVENT_END = Buffer.from('\n\n');
const LATEST = Buffer.from('event: latest');

/** A stream read without parsing: resolves once its snapshot (the first `latest` event) arrived; counts the events after it. */
function openLean(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } }, (res) => {
      let snapshot = false;
      res.on('data', (chunk: Buffer) => {
        if (!snapshot) {
          if (chunk.includes(LATEST)) {
            snapshot = true;
            resolve();
          }
          return;
        }
        for (let at = chunk.indexOf(EVENT_END); at >= 0; at = chunk.indexOf(EVENT_END, at + 2)) leanEvents += 1;
      });
      res.on('error', () => undefined);
    });
    req.on('error', reject);
    req.end();
    lean.push(() => req.destroy());
  });
}

async function openAll(): Promise<void> {
  // ABBA rounds put two phases with viewers side by side: they stay connected across both.
  if (streams.length > 0 || lean.length > 0) return;
  // Opened a few at a time: 200 connections at once would measure the accept queue, not the hub.
  streams.push(...(await Promise.all(Array.from({ length: Math.min(SAMPLED, count) }, () => openSse(url, { authorization: `Bearer ${token}` })))));
  await Promise.all(streams.map((s) => s.next((e) => e.event === 'latest', 60_000, 'snapshot')));
  for (let i = streams.length; i < count; i += 20) await Promise.all(Array.from({ length: Math.min(20, count - i) }, () => openLean()));
  opened += streams.length + lean.length;
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
  for (const close of lean) close();
  lean = [];
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
  console.log(JSON.stringify({ streams: opened, parsedStreams: Math.min(SAMPLED, count), snapshotEvents, events, leanEvents, values: delaysMs.length, deliveryP50Ms: p(0.5), deliveryP99Ms: p(0.99) }));
  process.exit(0);
});
