import type { Socket } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from '../observability/logger.js';
import { HashingBusyError, TopicPermissions, type DeviceAuthenticator, type DeviceIdentity } from './device-auth.js';
import type { ProfileRouter } from './profiles/router.js';
import type { MessageHandler, MessageSource, SourceStatus } from './message-source.js';
import { BrokerListeners, type ListenerLimits, type TlsListenerOptions } from './broker/listeners.js';
import { LoginThrottle, type LoginThrottleOptions } from './broker/login-throttle.js';
import { ThrottledLog, truncateForLog } from './broker/throttled-log.js';
import { MAX_TOPIC_LEVELS, sessionClientId, topicWithinBytes } from './broker/topic-limits.js';

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0 picks a free port; `address()` reports the bound one. */
  port: number;
  authenticator: DeviceAuthenticator;
  /** Who may publish and subscribe to what, for devices with a profile and bridges. */
  router: ProfileRouter;
  logger: Logger;
  /** Packet size and connection caps (defaults: DEFAULT_LISTENER_LIMITS). */
  limits?: Partial<ListenerLimits>;
  /** A second listener speaking MQTT over TLS (MQTT_TLS_CERT / MQTT_TLS_KEY). */
  tls?: TlsListenerOptions;
  loginThrottle?: LoginThrottleOptions;
  /** Clock for login throttling, in epoch ms. */
  now?: () => number;
}

/**
 * 128 KiB: twice the decoder's 64 KiB payload limit, so that a payload a little over it is still
 * received, acknowledged and counted as `oversized-payload` instead of cutting the device off.
 * 1,000 connections: a few hundred meters per site server, with room. Worst-case parser memory
 * is about their product (128 MB), against 1.4 GB measured without a limit (issue 11).
 */
export const DEFAULT_LISTENER_LIMITS: ListenerLimits = { maxPacketBytes: 128 * 1024, maxConnections: 1000, maxUnauthenticatedPerIp: 32 };

// MQTT 3.1.1 §3.2.2.3 CONNACK return codes.
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

/** A CONNECT must arrive this soon after the TCP connection (aedes' default is 30 s). */
const CONNECT_TIMEOUT_MS = 10_000;

function refusal(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: returnCode as AuthenticateError['returnCode'] }) as AuthenticateError;
}

/**
 * The embedded MQTT 3.1.1 broker (aedes 1.2). Authentication and topic permissions live in
 * its hooks (device-auth.ts); device messages are consumed in-process.
 *
 * Acknowledge-after-durable: aedes sends a QoS 1 PUBACK BEFORE it runs `broker.publish`
 * (lib/handlers/publish.js: `write(client, new PubAck(packet), …)` then `broker.publish`),
 * so an in-process `broker.subscribe` or the `published` hook runs too late to hold the ack.
 * The only hook that runs before PUBACK is `authorizePublish`, and aedes waits for its
 * callback: so the message is decoded and written there, and the callback is called once the
 * writer's promise resolved. A failed write calls back with an error: aedes closes the
 * connection without PUBACK, and the device resends the message when it reconnects
 * (MQTT 3.1.1 §4.4, [MQTT-4.4.0-1]). aedes handles all packets of one socket read
 * concurrently (lib/client.js `enqueue`), so the writes of one chunk batch together.
 *
 * Hardening (issue 11): packet size and connection caps in front of aedes (broker/listeners.ts);
 * login attempts throttled per address and username; sessions keyed by username and client id,
 * so no credential can take over another device's session; topics over 256 bytes or deeper than
 * allowed refused; retained messages not kept; refusal logs truncated and rate-limited.
 */
export class EmbeddedBroker implements MessageSource {
  readonly mode = 'embedded' as const;
  private broker: Aedes | null = null;
  private listeners: BrokerListeners | null = null;
  private readonly identities = new WeakMap<Client, DeviceIdentity>();
  private handler: MessageHandler | null = null;
  private listening = false;
  private stopped = false;
  private readonly permissions: TopicPermissions;
  private readonly throttle: LoginThrottle;
  private readonly now: () => number;
  private readonly authLog: ThrottledLog;
  private readonly refusalLog: ThrottledLog;
  /** Logins refused, by cause (tests and the security README read them). */
  readonly refusals = { badCredentials: 0, anonymous: 0, throttled: 0, hashingBusy: 0, publish: 0, subscribe: 0 };

  constructor(private readonly options: EmbeddedBrokerOptions) {
    this.permissions = new TopicPermissions(options.router);
    this.throttle = new LoginThrottle(options.loginThrottle);
    this.now = options.now ?? Date.now;
    // A few lines per 10 s whatever the flood; each line carries how many were left out.
    this.authLog = new ThrottledLog(options.logger, 10, 10_000);
    this.refusalLog = new ThrottledLog(options.logger, 10, 10_000);
  }

  async start(handler: MessageHandler): Promise<void> {
    const log = this.options.logger;
    this.handler = handler;
    const broker = await Aedes.createBroker({
      connectTimeout: CONNECT_TIMEOUT_MS,
      maxTopicLevels: MAX_TOPIC_LEVELS,
      authenticate: (client, username, password, done) => this.authenticate(client, username, password, done),
      authorizePublish: (client, packet, callback) => {
        if (!client) return callback(null); // broker-internal publish
        const identity = this.identities.get(client);
        if (!identity || !topicWithinBytes(packet.topic) || !this.permissions.mayPublish(identity, packet.topic)) {
          this.refusals.publish += 1;
          // aedes closes the connection of a client whose publish is refused ([MQTT-3.3.5-2]).
          this.refusalLog.warn(
            { clientId: truncateForLog(client.id), device: identity ? `${identity.site}/${identity.device}` : undefined, topic: truncateForLog(packet.topic) },
            'publish outside the device topic (or over 256 bytes, or too deep) refused; connection closed',
          );
          return callback(new Error('publish not authorized'));
        }
        // Retained messages are not kept: a reading replayed to every new subscriber is a
        // phantom reading, and the service is the only subscriber that matters. Clearing the
        // flag here, before aedes stores it, also covers wills (authorized the same way).
        packet.retain = false;
        const current = this.handler;
        if (!current) return callback(new Error('ingest is stopping'));
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        current(packet.topic, payload).then(
          () => callback(null),
          (err: unknown) => {
            log.error({ err, clientId: client.id, topic: packet.topic }, 'readings not durable: message left unacknowledged, connection closed so that the device resends it');
            callback(err instanceof Error ? err : new Error(String(err)));
          },
        );
      },
      authorizeSubscribe: (client, subscription, callback) => {
        const identity = this.identities.get(client);
        if (identity && topicWithinBytes(subscription.topic) && this.permissions.maySubscribe(identity, subscription.topic)) return callback(null, subscription);
        this.refusals.subscribe += 1;
        this.refusalLog.warn({ clientId: truncateForLog(client.id), topic: truncateForLog(subscription.topic) }, 'subscription outside the device topic refused');
        callback(null, null); // SUBACK 0x80 (MQTT 3.1.1 §3.9.3)
      },
    });
    broker.on('clientError', (client, err) => log.debug({ clientId: truncateForLog(client.id ?? undefined), err: err.message }, 'MQTT client error'));
    broker.on('connectionError', (client, err) => log.debug({ clientId: truncateForLog(client.id ?? undefined), err: err.message }, 'MQTT connection error'));
    this.broker = broker;
    const listeners = new BrokerListeners({ ...DEFAULT_LISTENER_LIMITS, ...this.options.limits }, (socket) => broker.handle(socket), log);
    this.listeners = listeners;
    await listeners.listen(this.options.host, this.options.port, this.options.tls);
    this.listening = true;
    log.info({ endpoint: this.status().endpoint, tls: this.tlsAddress() ? `mqtts://${this.options.host}:${this.tlsAddress()?.port}` : 'off' }, 'embedded MQTT broker listening');
  }

  private authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: (err: AuthenticateError | null, ok: boolean) => void): void {
    const socket = client.conn as Socket;
    const ip = socket.remoteAddress ?? '';
    const nowMs = this.now();
    const blocked = this.throttle.blocked(ip, username, nowMs);
    if (blocked) {
      this.refusals.throttled += 1;
      this.authLog.warn({ ip, username: truncateForLog(username), by: blocked }, 'MQTT login refused: too many failed logins (throttled)');
      done(refusal('too many failed logins; retry later', SERVER_UNAVAILABLE), false);
      return;
    }
    const authenticator = this.options.authenticator;
    authenticator.authenticate(username, password).then(
      (identity) => {
        if (identity && username !== undefined) {
          this.identities.set(client, identity);
          this.throttle.succeeded(ip, username);
          // No client-id takeover across usernames: the session is keyed by both (topic-limits.ts).
          // aedes set client.id from CONNECT before this hook and keys the session and the
          // "already connected" takeover by it afterwards (lib/handlers/connect.js).
          client.id = sessionClientId(username, client.id);
          this.listeners?.authenticated(socket);
          done(null, true);
          return;
        }
        this.throttle.failed(ip, username, username !== undefined && authenticator.knows(username), nowMs);
        if (username) this.refusals.badCredentials += 1;
        else this.refusals.anonymous += 1;
        const message = username ? 'bad username or password' : 'anonymous clients are refused';
        this.authLog.warn({ ip, clientId: truncateForLog(client.id), username: truncateForLog(username) }, `MQTT connection refused: ${message}`);
        done(refusal(message, username ? BAD_USERNAME_OR_PASSWORD : NOT_AUTHORIZED), false);
      },
      (err: unknown) => {
        if (err instanceof HashingBusyError) this.refusals.hashingBusy += 1;
        this.authLog.warn({ ip, username: truncateForLog(username), err: err instanceof Error ? err.message : String(err) }, 'MQTT login refused: could not check the secret now');
        done(refusal('server busy; retry later', SERVER_UNAVAILABLE), false);
      },
    );
  }

  /** The bound address (port 0 resolved), or null when not listening. */
  address(): { host: string; port: number } | null {
    return this.listeners?.address('mqtt') ?? null;
  }

  /** The TLS listener's address, or null when there is none. */
  tlsAddress(): { host: string; port: number } | null {
    return this.listeners?.address('mqtts') ?? null;
  }

  /** Open connections and connections closed by a limit, for tests and status. */
  connectionStats(): { open: number; refused: BrokerListeners['refused'] } | null {
    const l = this.listeners;
    return l ? { open: l.connections, refused: { ...l.refused } } : null;
  }

  status(): SourceStatus {
    const addr = this.address();
    return { connected: this.listening, endpoint: `mqtt://${addr?.host ?? this.options.host}:${addr?.port ?? this.options.port}` };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.listening = false;
    this.handler = null;
    const broker = this.broker;
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    await this.listeners?.close();
  }
}
