import type { EnvSettings } from '../config/env.js';
import type { AppConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { EventBus } from '../events/event-bus.js';
import type { ReadingWriter } from '../storage/port.js';
import { DEFAULT_MAX_PAYLOAD_BYTES, PayloadDecoder, type DecodeResult } from './decoder.js';
import { DeviceAuthenticator } from './device-auth.js';
import { DeviceStatusBoard, type DeviceStatus } from './device-status.js';
import { ProfileRouter } from './profiles/router.js';
import { EmbeddedBroker } from './embedded-broker.js';
import type { LoginThrottleOptions } from './broker/login-throttle.js';
import { ExternalSubscriber, type ExternalSubscriberOptions } from './external-subscriber.js';
import type { MessageSource } from './message-source.js';
import { RejectionLog } from './rejection-log.js';
import type { IngestStatus, RejectionRecord } from './types.js';

export interface IngestOptions {
  /** Larger payloads are rejected as `oversized-payload` (default 64 KiB). */
  maxPayloadBytes?: number;
  /** Rejection records kept for the API (default 500). */
  rejectionCapacity?: number;
  /** Rate-limit window of rejection log lines per (device or topic, reason), default 10 s. */
  rejectionLogWindowMs?: number;
  /** Embedded mode: login throttling (tests shorten the window). */
  loginThrottle?: LoginThrottleOptions;
  /** Embedded mode: per-address cap on connections not yet logged in (default 32). */
  maxUnauthenticatedPerIp?: number;
  /** External mode tuning (tests shorten the delays). */
  external?: Pick<ExternalSubscriberOptions, 'retryDelayMs' | 'reconnectPeriodMs' | 'sessionExpiryS' | 'protocolVersion'>;
}

export interface IngestServiceDeps {
  config: AppConfig;
  settings: Pick<EnvSettings, 'MQTT_HOST' | 'MQTT_PORT' | 'MQTT_URL' | 'MQTT_CLIENT_ID' | 'MQTT_PROTOCOL_VERSION' | 'MQTT_SHARE_GROUP'> &
    Partial<Pick<EnvSettings, 'MQTT_TLS_PORT' | 'MQTT_MAX_CONNECTIONS' | 'MQTT_MAX_PACKET_BYTES'>>;
  /** The embedded broker's TLS listener: PEM contents of MQTT_TLS_CERT and MQTT_TLS_KEY, read by the caller. */
  tls?: { cert: Buffer; key: Buffer };
  writer: ReadingWriter;
  metrics: Pick<Metrics, 'messagesReceived' | 'readingsAccepted' | 'readingsRejected'> & Partial<Pick<Metrics, 'deviceOnline'>>;
  logger: Logger;
  /** Clock in epoch ms: receive time of messages, relative SenML times, the 5-minute future limit. */
  now: () => number;
  options?: IngestOptions;
  /** Told of every message whose readings became durable (rules and the live view listen). */
  events?: Pick<EventBus, 'emit'>;
}

/**
 * MQTT ingest: a message source (embedded aedes broker, or an external broker when
 * MQTT_URL is set) -> payload decoder -> `writer.write(readings of this message)`.
 * Each message is awaited on its own; the writer batches concurrent calls (group commit),
 * and the source acknowledges the message only once its write resolved.
 * Rejections go to the rejection log (API + metrics + rate-limited log); nothing a device
 * sends can throw out of the message handler.
 */
export class IngestService {
  private readonly log: Logger;
  private readonly decoder: PayloadDecoder;
  private readonly rejectionLog: RejectionLog;
  private readonly source: MessageSource;
  private readonly deviceStatus: DeviceStatusBoard;
  private lastMessageMs: number | null = null;
  /** Readings handed to the writer and not yet durable (the external source bounds its window with it). */
  private awaitingDurableReadings = 0;

  constructor(private readonly deps: IngestServiceDeps) {
    const options = deps.options ?? {};
    this.log = deps.logger.child({ module: 'ingest' });
    const router = new ProfileRouter(deps.config);
    this.decoder = new PayloadDecoder(deps.config, options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES, router);
    const online = deps.metrics.deviceOnline;
    this.deviceStatus = new DeviceStatusBoard((s) => {
      online?.set({ site: s.site, device: s.device }, s.online ? 1 : 0);
      this.log.info({ site: s.site, device: s.device, online: s.online }, s.online ? 'device online' : 'device offline');
    });
    this.rejectionLog = new RejectionLog(deps.metrics, this.log, { capacity: options.rejectionCapacity, logWindowMs: options.rejectionLogWindowMs });
    const { settings } = deps;
    this.source = settings.MQTT_URL
      ? new ExternalSubscriber({
          url: settings.MQTT_URL,
          clientId: settings.MQTT_CLIENT_ID,
          ...(settings.MQTT_SHARE_GROUP ? { shareGroup: settings.MQTT_SHARE_GROUP } : {}),
          ...(settings.MQTT_PROTOCOL_VERSION ? { protocolVersion: settings.MQTT_PROTOCOL_VERSION } : {}),
          logger: this.log.child({ source: 'external' }),
          pendingReadings: () => this.awaitingDurableReadings,
          profileFilters: [...new Set(router.compiled.flatMap((d) => d.serviceFilters))],
          ...options.external,
        })
      : new EmbeddedBroker({
          host: settings.MQTT_HOST,
          port: settings.MQTT_PORT,
          authenticator: new DeviceAuthenticator(deps.config),
          router,
          logger: this.log.child({ source: 'embedded' }),
          limits: {
            ...(settings.MQTT_MAX_CONNECTIONS !== undefined ? { maxConnections: settings.MQTT_MAX_CONNECTIONS } : {}),
            ...(settings.MQTT_MAX_PACKET_BYTES !== undefined ? { maxPacketBytes: settings.MQTT_MAX_PACKET_BYTES } : {}),
            ...(options.maxUnauthenticatedPerIp !== undefined ? { maxUnauthenticatedPerIp: options.maxUnauthenticatedPerIp } : {}),
          },
          ...(deps.tls ? { tls: { ...deps.tls, port: settings.MQTT_TLS_PORT ?? 8883 } } : {}),
          ...(options.loginThrottle ? { loginThrottle: options.loginThrottle } : {}),
          now: deps.now,
        });
  }

  async start(): Promise<void> {
    await this.source.start((topic, payload) => this.handleMessage(topic, payload));
  }

  /** Safe to call twice. */
  async stop(): Promise<void> {
    await this.source.stop();
  }

  status(): IngestStatus {
    const s = this.source.status();
    return { mode: this.source.mode, connected: s.connected, endpoint: s.endpoint, lastMessageMs: this.lastMessageMs };
  }

  /** Online status of devices and bridges that publish an availability / LWT topic. */
  devicesOnline(): DeviceStatus[] {
    return this.deviceStatus.all();
  }

  /** Newest first (GET /api/ingest/rejections). */
  rejections(limit?: number): RejectionRecord[] {
    return this.rejectionLog.latest(limit);
  }

  /** Embedded mode: the bound listening address (MQTT_PORT=0 resolved); null in external mode. */
  brokerAddress(): { host: string; port: number } | null {
    return this.source instanceof EmbeddedBroker ? this.source.address() : null;
  }

  /** Embedded mode with MQTT_TLS_CERT: the TLS listener's bound address; null otherwise. */
  brokerTlsAddress(): { host: string; port: number } | null {
    return this.source instanceof EmbeddedBroker ? this.source.tlsAddress() : null;
  }

  /** Embedded mode: the broker itself (its refusal counters and connection stats); null in external mode. */
  embeddedBroker(): EmbeddedBroker | null {
    return this.source instanceof EmbeddedBroker ? this.source : null;
  }

  /** Resolves once the message's readings are durable; rejects only when the write failed. */
  async handleMessage(topic: string, payload: Buffer): Promise<void> {
    const receivedMs = this.deps.now();
    this.lastMessageMs = receivedMs;
    this.deps.metrics.messagesReceived.inc();
    let result: DecodeResult;
    try {
      result = this.decoder.decode(topic, payload, receivedMs);
    } catch (err) {
      result = { readings: [], rejections: [{ reason: 'malformed-payload', detail: `could not be decoded: ${(err as Error).message}` }] };
    }
    if (result.availability) this.deviceStatus.update(result.availability.site, result.availability.device, result.availability.online, receivedMs);
    for (const rejection of result.rejections) {
      try {
        this.rejectionLog.record(rejection, { topic, site: result.site, device: result.device, payload, receivedMs });
      } catch (err) {
        this.log.error({ err }, 'could not record a rejection');
      }
    }
    if (result.readings.length === 0) return;
    const count = result.readings.length;
    this.deps.metrics.readingsAccepted.inc(count);
    this.awaitingDurableReadings += count;
    try {
      await this.deps.writer.write(result.readings);
      this.deps.events?.emit('readingsStored', { readings: result.readings });
    } finally {
      this.awaitingDurableReadings -= count;
    }
  }
}
