/**
 * The live fan-out process (src/live/fanout-process.ts starts it with child_process.fork): holds
 * the sockets of the live streams the HTTP process handed over, and writes each batch it is sent
 * to every viewer of the batch's site, with the same viewers, back-pressure, keep-alives and stall
 * checks as streams served in the HTTP process (src/live/live-viewer.ts, live-streams.ts).
 * It reads no store and authorises nothing: what reaches it was authorised and read there.
 */
import { Socket } from 'node:net';
import type { SiteConfig } from '../config/schema.js';
import { ChunkedSocket } from './chunked-socket.js';
import type { FromFanout, ToFanout } from './fanout-messages.js';
import { LiveBatch } from './live-batch.js';
import { LiveStreams } from './live-streams.js';
import { LiveViewer } from './live-viewer.js';
import { STREAM_PREAMBLE, latestEncoder } from './sse-format.js';

const tell = (message: FromFanout) => {
  if (process.connected) process.send!(message);
};

let sites = new Map<string, SiteConfig>();
let streams = new LiveStreams();
/** Per site, the viewers of the open streams that carry it. */
const viewersBySite = new Map<string, Set<LiveViewer>>();
/** Sockets not yet closed (ended streams flush theirs before closing). */
const sockets = new Set<Socket>();
let onSocketsClosed: (() => void) | null = null;
/** Per stream id, its viewers by site (for its snapshots). */
const streamViewers = new Map<number, { bySite: Map<string, LiveViewer>; end: () => void }>();

function open(id: number, siteIds: readonly string[], head: string, socket: Socket): void {
  const known = siteIds.map((s) => sites.get(s));
  if (known.some((s) => s === undefined)) {
    tell({ type: 'warn', message: `live stream ${id}: a site the fan-out process does not know (${siteIds.join(', ')})` });
    socket.destroy();
    tell({ type: 'closed', id });
    return;
  }
  sockets.add(socket);
  socket.once('close', () => {
    sockets.delete(socket);
    if (sockets.size === 0) onSocketsClosed?.();
  });
  const out = new ChunkedSocket(socket, siteIds.length + 10);
  out.writeHead(head);
  out.write(STREAM_PREAMBLE);
  const bySite = new Map<string, LiveViewer>();
  for (const site of known as SiteConfig[]) {
    const viewer = new LiveViewer(out, latestEncoder(site), streams.monotonicMs);
    bySite.set(site.id, viewer);
    let set = viewersBySite.get(site.id);
    if (!set) viewersBySite.set(site.id, (set = new Set()));
    set.add(viewer);
  }
  const viewers = [...bySite.values()];
  const end = streams.add(viewers, () => {
    for (const [site, viewer] of bySite) {
      const set = viewersBySite.get(site);
      set?.delete(viewer);
      if (set?.size === 0) viewersBySite.delete(site);
      viewer.end();
    }
    streamViewers.delete(id);
    tell({ type: 'closed', id });
  });
  streamViewers.set(id, { bySite, end });
  socket.on('close', end);
  // The client sends nothing more on an event stream; what it might is read and dropped, and its end ends the stream.
  socket.on('data', () => undefined);
  socket.on('end', end);
  socket.on('error', () => end());
}

// The HTTP process sends the socket's native handle (fanout-process.ts says why); wrapped here as
// node:child_process wraps a net.Socket it receives.
process.on('message', (message: ToFanout, handle?: object) => {
  switch (message.type) {
    case 'init':
      sites = new Map(message.sites.map((s) => [s.id, s]));
      streams = new LiveStreams({ keepAliveMs: message.keepAliveMs, stalledMs: message.stalledMs });
      tell({ type: 'ready' });
      return;
    case 'open':
      if (!handle) tell({ type: 'closed', id: message.id });
      else open(message.id, message.sites, message.head, new Socket({ handle, readable: true, writable: true } as ConstructorParameters<typeof Socket>[0]));
      return;
    case 'snapshot': {
      const viewer = streamViewers.get(message.id)?.bySite.get(message.site);
      if (!viewer) return;
      if (message.values === null) viewer.sendEvent('unavailable', { site: message.site, message: 'store unavailable' });
      // Later batches still flow when the store could not be read: null sends no snapshot.
      viewer.sendSnapshot(message.values);
      return;
    }
    case 'batch': {
      const viewers = viewersBySite.get(message.site);
      if (!viewers) return;
      // Encoded once for every viewer of the site (LiveBatch).
      const batch = new LiveBatch(message.values);
      for (const viewer of viewers) viewer.onBatch(batch);
      return;
    }
    case 'end-all':
      streams.endAll();
      return;
    case 'stop':
      streams.endAll();
      process.disconnect();
      return;
  }
});

// The HTTP process went (stopped or died): so do its streams.
process.on('disconnect', () => {
  streams.endAll();
  // The sockets ended above flush what they hold; a client that keeps its side open does not hold
  // the process up beyond 2 s.
  if (sockets.size === 0) process.exit(0);
  const cap = setTimeout(() => process.exit(0), 2_000);
  onSocketsClosed = () => {
    clearTimeout(cap);
    process.exit(0);
  };
});
