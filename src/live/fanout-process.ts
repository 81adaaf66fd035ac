import { fork, type ChildProcess } from 'node:child_process';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Socket } from 'node:net';
import { setPriority } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SiteConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import type { ServicePart } from '../parts.js';
import type { FromFanout, ToFanout } from './fanout-messages.js';
import type { LiveValue } from './live-batch.js';
import { DEFAULT_KEEP_ALIVE_MS, DEFAULT_STALLED_MS } from './live-streams.js';
import type { SiteLiveHub } from './site-live-hub.js';

/** One stream handed to the fan-out process: told its sites' snapshots by the route. */
export interface LiveHandover {
  /** The client went (or the fan-out process did): no snapshot is worth reading any more. */
  readonly closed: boolean;
  /** The store's latest values of `site`, or null when the store could not be read. */
  snapshot(site: string, values: readonly LiveValue[] | null): void;
}

/** Where the live route hands its streams (AppDeps.liveFanout). */
export interface LiveFanout {
  /** Whether this request's socket can be handed over now (a real HTTP/1.1 TCP socket, and the process up). */
  canAdopt(request: IncomingMessage): boolean;
  /** Hands the socket over with the response head to write; subscribes the sites to the hub for it. */
  adopt(socket: Socket, headers: OutgoingHttpHeaders, sites: readonly string[]): LiveHandover;
  /** Ends every stream it holds (the HTTP server is closing: it waits for those sockets too). */
  endAll(): void;
}

export interface LiveFanoutOptions {
  hub: Pick<SiteLiveHub, 'subscribe'>;
  sites: readonly SiteConfig[];
  logger: Logger;
  keepAliveMs?: number;
  stalledMs?: number;
  /** Told what operations watch: streams held, whether the process takes streams, each restart (the service's /metrics). */
  observe?: { streams(count: number): void; up(isUp: boolean): void; restarted(): void };
  /** How long the IPC channel may stay behind (the process reads no batch) before the process is taken as hung (default 10 s). */
  backlogLimitMs?: number;
  /** How long the process has to say it is ready before it is killed and started again (default 30 s: tsx compiles on a cold start). */
  startTimeoutMs?: number;
}

/** First wait before starting the process again after it died, doubled up to 30 s. */
const RESTART_FIRST_MS = 1_000;
const RESTART_MAX_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const BACKLOG_LIMIT_MS = 10_000;
/** The fan-out process's nice value (POSIX nice(2); 0 is the default, 19 the lowest priority). */
export const FANOUT_NICE = 10;

/** The response head of a stream, as Node's ServerResponse would write it (RFC 9112 §4, §7.1 chunked). */
export function streamHead(headers: OutgoingHttpHeaders): string {
  const lines = ['HTTP/1.1 200 OK'];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.toLowerCase() === 'content-length' || name.toLowerCase() === 'transfer-encoding') continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      const text = String(v);
      // setHeader already refuses these; a head written by hand must not let one through either.
      if (/[\r\n]/.test(text) || /[\r\n:]/.test(name)) throw new Error(`header ${JSON.stringify(name)} holds a line break`);
      lines.push(`${name}: ${text}`);
    }
  }
  lines.push('transfer-encoding: chunked');
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** The worker's entry beside this file, compiled (.js, the Docker image) or run through tsx (.ts, npm start). */
function workerEntry(): { path: string; execArgv: string[] } {
  const ext = extname(fileURLToPath(import.meta.url));
  const path = fileURLToPath(new URL(`./fanout-worker${ext}`, import.meta.url));
  // The worker is small: 96 MB of heap is ten times what 1,000 streams use.
  return { path, execArgv: ext === '.ts' ? ['--import', 'tsx', '--max-old-space-size=96'] : ['--max-old-space-size=96'] };
}

/**
 * The live streams served from a process of their own (issue 13, point 6): the HTTP process
 * authorises a stream, reads its snapshots, and hands the socket to this process
 * (child_process `send` with a handle, as node:cluster does); then each batch of the live hub is
 * sent once over IPC, whatever the number of viewers, and the fan-out process writes it to every
 * socket. With 200 viewers of a site, the ingest process does one IPC write per batch instead of
 * 200 socket writes (`npm run bench:sse` measures the PUBACKs both ways).
 * If the process dies, its streams end (browsers reconnect after `retry`), new streams are served
 * in the HTTP process meanwhile, and it is started again.
 */
export class LiveFanoutProcess implements ServicePart, LiveFanout {
  readonly name = 'live-fanout';
  private child: ChildProcess | null = null;
  private ready = false;
  private stopping = false;
  private restartMs = RESTART_FIRST_MS;
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly readyWaiters: Array<() => void> = [];
  private nextId = 1;
  private readonly streams = new Map<number, { sites: readonly string[]; closed: boolean }>();
  /** Per watched site: how many handed streams carry it, and the hub subscription that feeds them. */
  private readonly watched = new Map<string, { streams: number; unsubscribe: () => void }>();
  /** Since when (epoch ms) `send` has said the channel is behind, or null while it keeps up. */
  private behindSinceMs: number | null = null;

  constructor(private readonly options: LiveFanoutOptions) {}

  /**
   * Not waited for: the service starts as fast as without it, and the streams opened before the
   * process is ready are served by the HTTP process (`whenReady` for those who must know).
   */
  async start(): Promise<void> {
    this.stopping = false;
    this.launch();
  }

  /** Resolves once the process takes streams. */
  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.connected) child.send({ type: 'stop' } satisfies ToFanout);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    this.forgetStreams();
  }

  canAdopt(request: IncomingMessage): boolean {
    // A light-my-request injection has no real socket; HTTP/1.0 has no chunked encoding.
    return this.ready && this.child?.connected === true && request.httpVersion === '1.1' && request.socket instanceof Socket && request.socket.remoteAddress !== undefined;
  }

  adopt(socket: Socket, headers: OutgoingHttpHeaders, sites: readonly string[]): LiveHandover {
    const child = this.child!;
    // The socket's native handle, not the net.Socket: sending a server's net.Socket makes
    // net.Server.close() poll the child for its sockets, and close() never returns once that child
    // has exited (Node 20's lib/net.js: _usingWorkers with no worker left keeps _connections above
    // 0). keepOpen, then destroy here: the HTTP server frees its parser and counts the connection
    // gone once; the fan-out process holds its own copy of the descriptor (SCM_RIGHTS).
    const handle = (socket as unknown as { _handle: object | null })._handle;
    if (!handle) {
      // The client went while the request was authorised.
      socket.destroy();
      return { closed: true, snapshot: () => undefined };
    }
    const id = this.nextId++;
    const stream = { sites, closed: false };
    this.streams.set(id, stream);
    this.options.observe?.streams(this.streams.size);
    const message: ToFanout = { type: 'open', id, sites: [...sites], head: streamHead(headers) };
    child.send(message, handle as Socket, { keepOpen: true }, (err) => {
      socket.destroy();
      if (err) {
        this.options.logger.warn({ err }, 'live stream: could not hand the socket to the fan-out process');
        this.closeStream(id);
      }
    });
    for (const site of sites) this.watch(site);
    return {
      get closed() {
        return stream.closed;
      },
      snapshot: (site, values) => {
        if (!stream.closed && this.child === child && child.connected) child.send({ type: 'snapshot', id, site, values: values ? [...values] : null } satisfies ToFanout);
      },
    };
  }

  endAll(): void {
    if (this.child?.connected) this.child.send({ type: 'end-all' } satisfies ToFanout);
  }

  /** The fan-out process's pid while it runs (operations: its CPU and memory are its own). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether new streams go to the fan-out process now (false while it is started again after a death). */
  get isReady(): boolean {
    return this.ready;
  }

  /** Streams handed over and still open (tests, and the README's operations notes). */
  get streamCount(): number {
    return this.streams.size;
  }

  private watch(site: string): void {
    const known = this.watched.get(site);
    if (known) {
      known.streams += 1;
      return;
    }
    const unsubscribe = this.options.hub.subscribe(site, (batch) => this.sendBatch(site, batch.values));
    this.watched.set(site, { streams: 1, unsubscribe });
  }

  private closeStream(id: number): void {
    const stream = this.streams.get(id);
    if (!stream) return;
    stream.closed = true;
    this.streams.delete(id);
    this.options.observe?.streams(this.streams.size);
    for (const site of stream.sites) {
      const w = this.watched.get(site);
      if (!w) continue;
      w.streams -= 1;
      if (w.streams === 0) {
        w.unsubscribe();
        this.watched.delete(site);
      }
    }
  }

  /**
   * One IPC write per batch. Node keeps what the channel has not taken in this process's memory,
   * without bound, and `send` returns false once it holds more than two reads' worth (Node
   * child_process docs, subprocess.send): a process that reads nothing for `backlogLimitMs`
   * (stopped, hung, starved) is killed and started again, and its pages reconnect, rather than
   * letting the backlog grow.
   */
  private sendBatch(site: string, values: readonly LiveValue[]): void {
    const child = this.child;
    if (!child?.connected) return;
    if (child.send({ type: 'batch', site, values } satisfies ToFanout)) {
      this.behindSinceMs = null;
      return;
    }
    const nowMs = Date.now();
    this.behindSinceMs ??= nowMs;
    const limitMs = this.options.backlogLimitMs ?? BACKLOG_LIMIT_MS;
    if (nowMs - this.behindSinceMs < limitMs) return;
    this.options.logger.error({ behindMs: nowMs - this.behindSinceMs }, 'live fan-out process reads no batch: killed, to be started again (its pages reconnect)');
    this.behindSinceMs = null;
    child.kill('SIGKILL');
  }

  private forgetStreams(): void {
    for (const id of [...this.streams.keys()]) this.closeStream(id);
  }

  /** Starts the process; until it says it is ready, and whenever it is down, streams are served by the HTTP process. */
  private launch(): void {
    const { path, execArgv } = workerEntry();
    // The benches' loop probe is for the ingest process only.
    const { LOOP_PROBE_FILE: _probe, ...env } = process.env;
    const child = fork(path, [], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child = child;
    this.ready = false;
    this.behindSinceMs = null;
    // The live view is best effort and ingest is not: the fan-out process yields the cores to the
    // ingest process whenever both want them (a nice value of 10 weighs about 10 % of a default
    // process's share, Linux CFS sched_prio_to_weight: 110 against 1024).
    if (child.pid !== undefined) {
      try {
        setPriority(child.pid, FANOUT_NICE);
      } catch (err) {
        this.options.logger.warn({ err }, 'live fan-out process: could not lower its priority');
      }
    }
    const timeoutMs = this.options.startTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      this.options.logger.error({ path, timeoutMs }, 'live fan-out process not ready in time: killed, to be started again (LIVE_FANOUT=inline serves the streams in this process)');
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (message: FromFanout) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        this.ready = true;
        this.options.observe?.up(true);
        this.restartMs = RESTART_FIRST_MS;
        for (const wake of this.readyWaiters.splice(0)) wake();
      } else if (message.type === 'closed') this.closeStream(message.id);
      else if (message.type === 'warn') this.options.logger.warn({ module: 'live-fanout' }, message.message);
    });
    // A send racing the process's death: the exit handler below deals with it.
    child.on('error', (err) => this.options.logger.warn({ err }, 'live fan-out process: IPC error'));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const wasReady = this.ready;
      if (this.child === child) this.child = null;
      this.ready = false;
      this.options.observe?.up(false);
      this.forgetStreams();
      if (this.stopping) return;
      this.options.logger.error(
        { code, signal },
        `live fan-out process exited${wasReady ? ': its streams ended (browsers reconnect)' : ' before it was ready'}; streams are served by the HTTP process until it is started again in ${this.restartMs} ms`,
      );
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        this.options.observe?.restarted();
        this.launch();
      }, this.restartMs);
      this.restartMs = Math.min(RESTART_MAX_MS, this.restartMs * 2);
    });
    child.send({ type: 'init', sites: [...this.options.sites], keepAliveMs: this.options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS, stalledMs: this.options.stalledMs ?? DEFAULT_STALLED_MS } satisfies ToFanout);
  }
}
