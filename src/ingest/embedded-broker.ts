import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from '../observability/logger.js';
import { TopicPermissions, type DeviceAuthenticator, type DeviceIdentity } from './device-auth.js';
import type { ProfileRouter } from './profiles/router.js';
import type { MessageHandler, MessageSource, SourceStatus } from './message-source.js';

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0 picks a free port; `address()` reports the bound one. */
  port: number;
  authenticator: DeviceAuthenticator;
  /** Who may publish and subscribe to what, for devices with a profile and bridges. */
  router: ProfileRouter;
  logger: Logger;
}

// MQTT 3.1.1 §3.2.2.3 CONNACK return codes.
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

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
 */
export class EmbeddedBroker implements MessageSource {
  readonly mode = 'embedded' as const;
  private broker: Aedes | null = null;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly identities = new WeakMap<Client, DeviceIdentity>();
  private handler: MessageHandler | null = null;
  private listening = false;
  private stopped = false;

  private readonly permissions: TopicPermissions;

  constructor(private readonly options: EmbeddedBrokerOptions) {
    this.permissions = new TopicPermissions(options.router);
  }

  async start(handler: MessageHandler): Promise<void> {
    const log = this.options.logger;
    this.handler = handler;
    const broker = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        this.options.authenticator.authenticate(username, password).then(
          (identity) => {
            if (identity) {
              this.identities.set(client, identity);
              done(null, true);
              return;
            }
            const err = new Error(username ? 'bad username or password' : 'anonymous clients are refused') as AuthenticateError;
            err.returnCode = (username ? BAD_USERNAME_OR_PASSWORD : NOT_AUTHORIZED) as AuthenticateError['returnCode'];
            log.warn({ clientId: client.id, username }, `MQTT connection refused: ${err.message}`);
            done(err, false);
          },
          (err: unknown) => done(Object.assign(new Error(String(err)), { returnCode: 3 as AuthenticateError['returnCode'] }), false),
        );
      },
      authorizePublish: (client, packet, callback) => {
        if (!client) return callback(null); // broker-internal publish
        const identity = this.identities.get(client);
        if (!identity || !this.permissions.mayPublish(identity, packet.topic)) {
          // aedes closes the connection of a client whose publish is refused.
          log.warn({ clientId: client.id, device: identity ? `${identity.site}/${identity.device}` : undefined, topic: packet.topic }, 'publish outside the device topic refused; connection closed');
          return callback(new Error('publish not authorized'));
        }
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
        if (identity && this.permissions.maySubscribe(identity, subscription.topic)) return callback(null, subscription);
        log.warn({ clientId: client.id, topic: subscription.topic }, 'subscription outside the device topic refused');
        callback(null, null); // SUBACK 0x80 (MQTT 3.1.1 §3.9.3)
      },
    });
    broker.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'MQTT client error'));
    broker.on('connectionError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'MQTT connection error'));
    this.broker = broker;
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      broker.handle(socket);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => log.error({ err }, 'MQTT listener error'));
    this.listening = true;
    log.info({ endpoint: this.status().endpoint }, 'embedded MQTT broker listening');
  }

  /** The bound address (port 0 resolved), or null when not listening. */
  address(): { host: string; port: number } | null {
    const addr = this.server?.address() as AddressInfo | null | undefined;
    return addr ? { host: addr.address, port: addr.port } : null;
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
    const server = this.server;
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
