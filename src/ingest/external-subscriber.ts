import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../observability/logger.js';
import type { MessageHandler, MessageSource, SourceStatus } from './message-source.js';
import { OrderedAcks } from './ordered-acks.js';

/** The filter the service subscribes to on an external broker. */
export const DEVICE_TOPIC_FILTER = 'sites/+/devices/#';

export interface ExternalSubscriberOptions {
  /** `mqtt://user:password@host:port`; credentials are taken from the URL. */
  url: string;
  /** Fixed, so that the broker keeps our persistent session across restarts. */
  clientId: string;
  logger: Logger;
  /** How long the broker keeps our session (and queues our QoS 1 messages) while we are offline, in s. Default 30 days. */
  sessionExpiryS?: number;
  /** Pause after a failed write before dropping the connection to get the message redelivered. Default 5 s. */
  retryDelayMs?: number;
  reconnectPeriodMs?: number;
  /** MQTT 5 Receive Maximum: QoS 1 messages the broker may have in flight to us (writes run concurrently). Default 1000. */
  receiveMaximum?: number;
  /**
   * Readings taken from the broker and not yet durable (IngestService counts them). With
   * `maxPendingReadings`, this bounds the unacknowledged window in readings as well as in
   * messages: a SenML pack of 10 weighs 10 JSON readings.
   */
  pendingReadings?: () => number;
  /** Hold the next packet while this many readings await durability. Default 10,000. */
  maxPendingReadings?: number;
  /** 5 by default, falling back to 4 (3.1.1) by itself when the broker refuses MQTT 5. */
  protocolVersion?: 4 | 5;
  /**
   * The topics of devices with a profile (Tasmota, Shelly, zigbee2mqtt…: profiles/router.ts),
   * subscribed besides DEVICE_TOPIC_FILTER in the same SUBSCRIBE. Bounded by the configuration.
   */
  profileFilters?: readonly string[];
  /**
   * MQTT_SHARE_GROUP: subscribe to every filter as `$share/<group>/<filter>` (MQTT 5 §4.8.2), so
   * that the broker gives each message to one instance of the group. The session stays
   * persistent with a long expiry: see README "Several instances" for why (Mosquitto #1747).
   */
  shareGroup?: string;
}

/** The filter as subscribed: shared among the instances of a group, or as is. */
export function subscriptionFilter(filter: string, shareGroup: string | undefined): string {
  return shareGroup ? `$share/${shareGroup}/${filter}` : filter;
}

/** Passed to mqtt.js `customHandleAcks` to say "do not PUBACK now, we will": see below. */
class DeferredAck extends Error {}
const DEFERRED = new DeferredAck('PUBACK deferred until the write is durable');

const noDebugLog = (): void => undefined;

/** MQTT 3.1.1 CONNACK 1 "unacceptable protocol version" (what aedes answers an MQTT 5 CONNECT). */
const UNACCEPTABLE_PROTOCOL = 1;

/**
 * The service as an mqtt.js client of an external broker (MQTT_URL), e.g. mosquitto.
 *
 * - Persistent session: `clean: false` AND, in MQTT 5, a Session Expiry Interval > 0
 *   (MQTT 5 §3.1.2.11.2: absent means 0, the session ends with the connection and offline
 *   messages are dropped; measured on mosquitto 2.0.11, see STACK-NOTES).
 * - Acknowledge-after-durable, with concurrency. mqtt.js handles incoming packets one at a
 *   time and sends the PUBACK from the `customHandleAcks` callback; awaiting
 *   the write there would allow one write per message, far below the writer's group commit.
 *   So each QoS 1 message starts its write and `customHandleAcks` answers with an error
 *   (mqtt.js then moves on to the next packet WITHOUT sending a PUBACK, and emits that
 *   error, which we ignore); OrderedAcks then sends the PUBACKs itself, in arrival order
 *   ([MQTT-4.6.0-2]), each once its write resolved, written straight to mqtt.js's socket
 *   (mqtt is pinned to 5.16 in package.json; the integration tests exercise it).
 *   The broker bounds what is in flight by our Receive Maximum.
 * - A failed write is NOT acknowledged, nor anything received after it. Brokers redeliver an
 *   unacknowledged PUBLISH only when the session is resumed (MQTT 5 §4.4 / [MQTT-4.4.0-1]),
 *   so after `retryDelayMs` (time for the store to come back, and a brake on a redelivery
 *   loop) the connection is dropped; mqtt.js reconnects by itself and the broker resends.
 * - MQTT 3.1.1 (fallback for brokers that refuse MQTT 5, or MQTT_PROTOCOL_VERSION=4): the same
 *   deferral (see connect()). 3.1.1 has no Receive Maximum; the ingest bench measured the same
 *   throughput as MQTT 5 through mosquitto with its default max_inflight_messages (20).
 * - QoS 0 messages are written too (nothing to acknowledge; a failure is logged).
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
  private readonly maxUnacked: number;
  /** Room for one more message in the unacknowledged window (messages and readings). */
  private readonly hasRoom: () => boolean;
  /** Message ids of the PUBACKs to write at the end of this tick. */
  private pubacks: number[] = [];
  private readonly acks = new OrderedAcks(
    (messageId) => this.sendPuback(messageId),
    (err) => this.onWriteFailure(err),
  );

  constructor(private readonly options: ExternalSubscriberOptions) {
    const url = new URL(options.url);
    url.username = '';
    url.password = '';
    this.endpoint = url.toString().replace(/\/$/, '');
    this.maxUnacked = options.receiveMaximum ?? 2000;
    const pendingReadings = options.pendingReadings;
    const maxPendingReadings = options.maxPendingReadings ?? 10_000;
    this.hasRoom = pendingReadings
      ? () => this.acks.pending < this.maxUnacked && pendingReadings() < maxPendingReadings
      : () => this.acks.pending < this.maxUnacked;
  }

  async start(handler: MessageHandler): Promise<void> {
    this.handler = handler;
    this.client = this.connect(this.options.protocolVersion ?? 5);
    // Return at once: the service must start (and serve its API) while the broker is down.
  }

  private connect(protocolVersion: 4 | 5): MqttClient {
    const log = this.options.logger;
    const clientOptions: IClientOptions = {
      clientId: this.options.clientId,
      clean: false,
      protocolVersion,
      reconnectPeriod: this.options.reconnectPeriodMs ?? 2000,
      connectTimeout: 10_000,
      resubscribe: false, // we subscribe on every 'connect' ourselves
      // mqtt.js calls its `debug` logger several times per packet; even disabled, that was ~2 %
      // of the service's CPU in the ingest bench profile. We log what matters ourselves.
      log: noDebugLog,
    };
    if (protocolVersion === 5) {
      clientOptions.properties = { sessionExpiryInterval: this.options.sessionExpiryS ?? 30 * 24 * 3600, receiveMaximum: this.options.receiveMaximum ?? 2000 };
    }
    const customHandleAcks: IClientOptions['customHandleAcks'] = (topic, message, packet: { qos: number; messageId?: number; retain?: boolean }, done) => {
      // A retained message is a replay of an old one, sent because we (re)subscribed: never a new
      // reading. MQTT 3.1.1 [MQTT-3.3.1-9]/[MQTT-3.3.1-10] and MQTT 5 §3.3.1.3 (Retain As
      // Published unset, our default) set RETAIN only on such replays; MQTT 5 subscribes with
      // rh: 2 so none is sent, and 3.1.1 has no such option: they are dropped here, acknowledged
      // in order like any other (an unacknowledged one would be resent).
      const work = packet.retain ? Promise.resolve() : this.process(topic, message);
      if (packet.qos === 1 && packet.messageId !== undefined) {
        this.acks.track(packet.messageId, work);
        // mqtt.js reads the next packet only after done(): holding it while too many messages
        // (or readings) wait for durability stops reading the socket, so TCP pushes back on the
        // broker, which keeps the rest queued. Memory stays bounded whatever the broker's
        // in-flight window. Bounding readings too matters for SenML packs: 2,000 packs of 10
        // held 20,000 readings, which cost GC time and RSS (ingest bench, SenML into InfluxDB,
        // same quiet machine: 76k -> 77-88k readings/s, peak RSS 309 -> 251-280 MB).
        if (this.hasRoom()) done(DEFERRED);
        else this.acks.whenReady(this.hasRoom, () => done(DEFERRED));
      } else {
        // QoS 2 (we subscribe at QoS 1, so only if a broker misbehaves): acknowledge once written.
        work.then(
          () => {
            this.acks.recheck();
            done(null as unknown as Error, 0);
          },
          (err: unknown) => this.onWriteFailure(err),
        );
      }
    };
    clientOptions.customHandleAcks = customHandleAcks;
    const client = connect(this.options.url, clientOptions);
    // mqtt.js replaces customHandleAcks by its default unless the protocol is 5, yet its packet
    // handler calls the one in client.options whatever the version. A 3.1.1 PUBACK is the MQTT 5
    // one without a reason code (mqtt-packet leaves it out), so the same deferral holds. Set
    // before the first packet can arrive (connect() only starts connecting).
    client.options.customHandleAcks = customHandleAcks;
    client.handleMessage = (packet, done) => {
      if (packet.qos > 0) return done(); // handled in customHandleAcks (QoS 2: mqtt.js calls this again on PUBREL)
      if (packet.retain) return done(); // a replay on (re)subscribe, not a new reading (see customHandleAcks)
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      // QoS 0: nothing to acknowledge; a failed write loses the readings, as the sender accepted.
      this.process(packet.topic, payload).then(
        () => this.acks.recheck(), // its readings no longer count against the window
        (err: unknown) => {
          this.acks.recheck();
          log.error({ err, topic: packet.topic }, 'QoS 0 readings lost: write failed');
        },
      );
      done();
    };
    client.on('connect', (connack) => {
      log.info({ endpoint: this.endpoint, sessionPresent: connack.sessionPresent, protocolVersion }, 'connected to the MQTT broker');
      const filters = [DEVICE_TOPIC_FILTER, ...(this.options.profileFilters ?? [])].map((f) => subscriptionFilter(f, this.options.shareGroup));
      // rh: 2 (MQTT 5 §3.8.3.1 Retain Handling): no retained messages at subscribe time.
      const options = protocolVersion === 5 ? { qos: 1 as const, rh: 2 } : { qos: 1 as const };
      client.subscribe(Object.fromEntries(filters.map((f) => [f, options])), (err, granted) => {
        if (err) log.error({ err }, `subscribe to ${filters.length} filters failed (check the broker ACL of our user)`);
        else if (granted?.some((g) => g.qos > 2)) log.error({ refused: granted.filter((g) => g.qos > 2).map((g) => g.topic) }, 'the broker refused some filters (check the broker ACL of our user: mosquitto-files)');
        else this.subscribed = true;
      });
    });
    client.on('close', () => {
      this.subscribed = false;
      this.acks.reset();
    });
    client.on('offline', () => log.warn({ endpoint: this.endpoint }, 'MQTT broker unreachable; reconnecting'));
    client.on('error', (err: Error & { code?: number }) => {
      if (err === DEFERRED) return;
      if (protocolVersion === 5 && err.code === UNACCEPTABLE_PROTOCOL && !this.stopped) {
        log.info({ endpoint: this.endpoint }, 'the broker refuses MQTT 5: falling back to MQTT 3.1.1');
        client.end(true);
        this.client = this.connect(4);
        return;
      }
      log.warn({ err: err.message, endpoint: this.endpoint }, 'MQTT client error');
    });
    return client;
  }

  /** Never rejects synchronously; rejects only when the readings could not be made durable. */
  private process(topic: string, payload: Buffer): Promise<void> {
    const handler = this.handler;
    if (!handler) return new Promise<void>(() => undefined); // stopping: never acknowledged, the broker keeps it
    return handler(topic, payload);
  }

  private sendPuback(messageId: number): void {
    const client = this.client;
    // Never queue a PUBACK for a later connection: mqtt.js would store it while offline.
    if (!client?.connected || !client.stream) return;
    // PUBACKs come in runs (one per message of a batch made durable): they are gathered until
    // the end of the tick and written as one buffer, one system call for the run. Through
    // mqtt.js each PUBACK was three small writes (writev and packet generation were 15 % of the
    // service's CPU in the JSON ingest bench).
    if (this.pubacks.length === 0) {
      const stream = client.stream;
      process.nextTick(() => this.writePubacks(client, stream));
    }
    this.pubacks.push(messageId);
  }

  /**
   * PUBACK with reason code 0 and no properties: the same four bytes in MQTT 3.1.1 and 5
   * (MQTT 5 §3.4.2.1 lets the reason code be left out when it is 0; mqtt-packet does the same).
   */
  private writePubacks(client: MqttClient, stream: NonNullable<MqttClient['stream']>): void {
    const ids = this.pubacks;
    this.pubacks = [];
    // The connection this run was made on is gone: the broker redelivers the messages.
    if (client !== this.client || client.stream !== stream || !client.connected || stream.destroyed) return;
    const packets = Buffer.allocUnsafe(ids.length * 4);
    for (let i = 0, at = 0; i < ids.length; i++, at += 4) {
      const id = ids[i]!;
      packets[at] = 0x40;
      packets[at + 1] = 0x02;
      packets[at + 2] = id >> 8;
      packets[at + 3] = id & 0xff;
    }
    stream.write(packets);
  }

  private onWriteFailure(err: unknown): void {
    this.options.logger.error({ err }, 'readings not durable: message left unacknowledged; the connection will be dropped for redelivery');
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.stopped) return;
      this.client?.stream?.destroy(); // mqtt.js sees a lost connection and reconnects after reconnectPeriod
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
