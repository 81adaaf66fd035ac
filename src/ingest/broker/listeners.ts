import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from '../../observability/logger.js';
import { PacketLengthGuard } from './packet-length-guard.js';
import { ThrottledLog } from './throttled-log.js';

export interface ListenerLimits {
  /** Largest Remaining Length of any packet, in bytes (a PUBLISH's topic + payload + 2-byte id). */
  maxPacketBytes: number;
  /** Open connections across the plain and TLS listeners; beyond it a new socket is closed at once. */
  maxConnections: number;
  /** Connections from one address that have not logged in yet; beyond it a new one is closed at once. */
  maxUnauthenticatedPerIp: number;
}

export interface TlsListenerOptions {
  /** PEM certificate chain and private key (MQTT_TLS_CERT / MQTT_TLS_KEY, read by the caller). */
  cert: Buffer;
  key: Buffer;
  /** 8883 (IANA "secure-mqtt"), 0 for a free one. */
  port: number;
}

/** What aedes' `broker.handle(socket)` returns, reduced to the part the guard hooks into. */
interface ParsingClient {
  _parser?: { parse(buf: Buffer): unknown };
}

/**
 * The broker's TCP (and optional TLS) listeners, with the limits aedes 1.2 lacks: a maximum
 * packet size enforced before a packet is buffered, a maximum number of connections, and a cap
 * on not-yet-authenticated connections per address (a flood from one host cannot hold every
 * slot). Refused sockets are destroyed without a CONNACK: nothing was parsed yet.
 */
export class BrokerListeners {
  private readonly servers: Array<{ name: 'mqtt' | 'mqtts'; server: Server }> = [];
  private readonly sockets = new Set<Socket>();
  private readonly unauthenticated = new Map<string, number>();
  private readonly pendingSockets = new WeakSet<Socket>();
  private readonly refusedLog: ThrottledLog;
  /** Sockets closed by a limit, by limit (reported in tests and status). */
  readonly refused = { connections: 0, unauthenticatedPerIp: 0, packetSize: 0 };

  constructor(
    private readonly limits: ListenerLimits,
    private readonly handle: (socket: Socket) => unknown,
    private readonly log: Logger,
  ) {
    this.refusedLog = new ThrottledLog(log, 5, 10_000);
  }

  async listen(host: string, port: number, tls?: TlsListenerOptions): Promise<void> {
    await this.open('mqtt', createServer((s) => this.accept(s)), host, port);
    if (tls) await this.open('mqtts', createTlsServer({ cert: tls.cert, key: tls.key }, (s) => this.accept(s)), host, tls.port);
  }

  address(name: 'mqtt' | 'mqtts' = 'mqtt'): { host: string; port: number } | null {
    const addr = this.servers.find((s) => s.name === name)?.server.address() as AddressInfo | null | undefined;
    return addr ? { host: addr.address, port: addr.port } : null;
  }

  get connections(): number {
    return this.sockets.size;
  }

  /** Called once the socket's client logged in: it no longer counts against its address's cap. */
  authenticated(socket: Socket): void {
    if (!this.pendingSockets.has(socket)) return;
    this.pendingSockets.delete(socket);
    this.release(socket.remoteAddress ?? '');
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.servers.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }

  private async open(name: 'mqtt' | 'mqtts', server: Server, host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // A TLS handshake failure is a client's problem; it must not reach the process.
    server.on('tlsClientError', (err: Error) => this.log.debug({ err: err.message }, 'MQTT TLS handshake failed'));
    server.on('error', (err) => this.log.error({ err }, 'MQTT listener error'));
    this.servers.push({ name, server });
  }

  private accept(socket: Socket): void {
    const ip = socket.remoteAddress ?? '';
    if (this.sockets.size >= this.limits.maxConnections) {
      this.refused.connections += 1;
      this.refusedLog.warn({ ip, limit: this.limits.maxConnections }, 'MQTT connection refused: MQTT_MAX_CONNECTIONS reached');
      socket.destroy();
      return;
    }
    const pending = this.unauthenticated.get(ip) ?? 0;
    if (pending >= this.limits.maxUnauthenticatedPerIp) {
      this.refused.unauthenticatedPerIp += 1;
      this.refusedLog.warn({ ip, limit: this.limits.maxUnauthenticatedPerIp }, 'MQTT connection refused: too many connections from this address waiting to log in');
      socket.destroy();
      return;
    }
    // No Nagle (RFC 896) on the broker's side: with it, a PUBACK written while the previous one is
    // not yet acknowledged waits for the client's next packet, which carries the delayed ACK
    // (RFC 1122 §4.2.3.2). A device publishing every 20 ms then got every PUBACK ~17 ms late, for
    // whole stretches of seconds (bench:sse, 2026-12-02: PUBACK p50 20 ms instead of 3 ms).
    socket.setNoDelay(true);
    this.unauthenticated.set(ip, pending + 1);
    this.pendingSockets.add(socket);
    this.sockets.add(socket);
    socket.on('error', () => undefined); // aedes reports it; an unhandled 'error' would end the process
    socket.once('close', () => {
      this.sockets.delete(socket);
      if (this.pendingSockets.has(socket)) {
        this.pendingSockets.delete(socket);
        this.release(ip);
      }
    });
    const client = this.handle(socket) as ParsingClient;
    this.guard(client, socket, ip);
  }

  /**
   * Puts a PacketLengthGuard in front of aedes' packet parser. aedes 1.2 feeds every chunk it
   * reads to `client._parser.parse(buf)` (lib/client.js, nextBatch): wrapping that one method
   * sees every byte before mqtt-packet buffers it. If a later aedes renames it, the guard fails
   * loudly here, and test/integration/broker-limits.test.ts with it.
   */
  private guard(client: ParsingClient, socket: Socket, ip: string): void {
    const parser = client._parser;
    if (!parser || typeof parser.parse !== 'function') throw new Error('aedes client has no _parser.parse: the packet size guard cannot be installed');
    const guard = new PacketLengthGuard(this.limits.maxPacketBytes);
    const parse = parser.parse.bind(parser);
    parser.parse = (buf: Buffer) => {
      if (guard.feed(buf)) return parse(buf);
      this.refused.packetSize += 1;
      this.refusedLog.warn({ ip, reason: guard.refusal }, 'MQTT connection closed: packet over MQTT_MAX_PACKET_BYTES');
      socket.destroy();
      return 0;
    };
  }

  private release(ip: string): void {
    const n = (this.unauthenticated.get(ip) ?? 1) - 1;
    if (n <= 0) this.unauthenticated.delete(ip);
    else this.unauthenticated.set(ip, n);
  }
}
