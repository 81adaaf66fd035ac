import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../observability/logger.js';
import type { MessageHandler, MessageSource, SourceStatus } from './message-source.js';

/** The filter the service subscribes to on an external broker. */
export const DEVICE_TOPIC_FILTER = 'sites/+/devices/#';

export interface ExternalSubscriberOptions {
  /** `mqtt://user:password@host:port`; credentials are taken from the URL. */
  url: string;
  /** Fixed, so that the broker keeps our persistent session across restarts. */
  clientId: string;
  logger: Logger;
  /** How long the broker keeps our session (and queues our QoS 1 messages) while we are offline, in s. */
  sessionExpiryS?: number;
  /** Pause after a failed write before dropping the connection to get the message redelivered. */
  retryDelayMs?: number;
  reconnectPeriodMs?: number;
  /** 5 by default; 4 (3.1.1) for brokers without MQTT 5. */
  protocolVersion?: 4 | 5;
}

/**
 * The service as an mqtt.js client of an external broker (MQTT_URL), e.g. mosquitto.
 *
 * - Persistent session: `clean: false` AND, in MQTT 5, a Session Expiry Interval > 0
 *   (MQTT 5 §3.1.2.11.2: absent means 0, the session ends with the connection and offline
 *   messages are dropped; measured on mosquitto 2.0.11, see STACK-NOTES).
 * - Acknowledge-after-durable: the PUBACK of a QoS 1 message goes back only once the
 *   handler's promise (the writer's) resolved: `customHandleAcks` in MQTT 5 (mqtt.js only
 *   honours it with protocolVersion 5), `handleMessage` in 3.1.1; mqtt.js sends the PUBACK
 *   in their callbacks.
 * - A failed write is NOT acknowledged. Leaving it pending alone would not bring it back:
 *   brokers redeliver an unacknowledged PUBLISH only when the session is resumed
 *   (MQTT 5 §4.4 / [MQTT-4.4.0-1]), and mqtt.js would stall, since it handles incoming packets
 *   one at a time. So after `retryDelayMs` (time for the store to come back, and a brake on
 *   a redelivery loop) the connection is dropped; mqtt.js reconnects by itself and the broker
 *   resends the message with everything queued behind it.
 * - Throughput: mqtt.js hands us one message at a time (the next packet is handled after the
 *   PUBACK of the previous one), so this path runs at one writer commit per message.
 */
export class ExternalSubscriber implements MessageSource {
  readonly mode = 'external' as const;
  private client: MqttClient | null = null;
  private handler: MessageHandler | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** True between a successful SUBACK and the next connection loss: only then do messages flow. */
  private subscribed = false;
  private readonly endpoint: string;

  constructor(private readonly options: ExternalSubscriberOptions) {
    const url = new URL(options.url);
    url.username = '';
    url.password = '';
    this.endpoint = url.toString().replace(/\/$/, '');
  }

  async start(handler: MessageHandler): Promise<void> {
    const { logger: log } = this.options;
    this.handler = handler;
    const protocolVersion = this.options.protocolVersion ?? 5;
    const clientOptions: IClientOptions = {
      clientId: this.options.clientId,
      clean: false,
      protocolVersion,
      reconnectPeriod: this.options.reconnectPeriodMs ?? 2000,
      connectTimeout: 10_000,
      resubscribe: false, // we subscribe on every 'connect' ourselves
    };
    if (protocolVersion === 5) {
      clientOptions.properties = { sessionExpiryInterval: this.options.sessionExpiryS ?? 30 * 24 * 3600 };
      clientOptions.customHandleAcks = (topic, message, _packet, done) => {
        this.process(topic, message, () => done(null as unknown as Error, 0));
      };
    }
    const client = connect(this.options.url, clientOptions);
    if (protocolVersion === 4) {
      client.handleMessage = (packet, done) => {
        this.process(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload), () => done());
      };
    }
    this.client = client;
    client.on('connect', (connack) => {
      log.info({ endpoint: this.endpoint, sessionPresent: connack.sessionPresent }, 'connected to the MQTT broker');
      client.subscribe(DEVICE_TOPIC_FILTER, { qos: 1 }, (err, granted) => {
        if (err) log.error({ err }, `subscribe to ${DEVICE_TOPIC_FILTER} failed (check the broker ACL of our user)`);
        else if (granted?.some((g) => g.qos > 2)) log.error({ granted }, `the broker refused ${DEVICE_TOPIC_FILTER} (check the broker ACL of our user)`);
        else this.subscribed = true;
      });
    });
    client.on('close', () => {
      this.subscribed = false;
    });
    client.on('offline', () => log.warn({ endpoint: this.endpoint }, 'MQTT broker unreachable; reconnecting'));
    client.on('error', (err) => log.warn({ err: err.message, endpoint: this.endpoint }, 'MQTT client error'));
    // Return at once: the service must start (and serve its API) while the broker is down.
  }

  private process(topic: string, payload: Buffer, ack: () => void): void {
    const handler = this.handler;
    if (!handler) return; // stopping: leave it unacknowledged, the broker keeps it
    handler(topic, payload).then(ack, (err: unknown) => {
      this.options.logger.error({ err, topic }, 'readings not durable: message left unacknowledged; the connection will be dropped for redelivery');
      this.scheduleRedelivery();
    });
  }

  private scheduleRedelivery(): void {
    if (this.retryTimer || this.stopped) return;
    const client = this.client;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.stopped || !client) return;
      client.stream?.destroy(); // mqtt.js sees a lost connection and reconnects after reconnectPeriod
    }, this.options.retryDelayMs ?? 5000);
  }

  status(): SourceStatus {
    return { connected: (this.client?.connected ?? false) && this.subscribed, endpoint: this.endpoint };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.handler = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    if (!client) return;
    // A clean DISCONNECT keeps the session (MQTT 5 §3.14.4: only the expiry ends it);
    // force-close if the broker does not answer in time.
    let timer: NodeJS.Timeout | undefined;
    const graceful = client.endAsync(false).catch(() => undefined);
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 2000)));
    if ((await Promise.race([graceful, timeout])) === 'timeout') await client.endAsync(true).catch(() => undefined);
    clearTimeout(timer);
  }
}
