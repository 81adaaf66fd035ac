import { connectAsync, type MqttClient } from 'mqtt';
import type { OutgoingMessage } from './payloads.js';

export interface PublisherStats {
  sent: number;
  acked: number;
  failed: number;
}

/**
 * One device's MQTT connection, with its own credentials (`{site}/{device}` and its secret, as
 * the contract asks). Publishes at QoS 1 with a bounded window of unacknowledged messages: the
 * service acknowledges (PUBACK) once the readings are durable, so the window is what paces a
 * backfill "as fast as the service acknowledges".
 */
export class DevicePublisher {
  private client: MqttClient | null = null;
  private stopped = false;
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  private idle: (() => void)[] = [];
  readonly stats: PublisherStats = { sent: 0, acked: 0, failed: 0 };
  lastError: Error | null = null;

  constructor(
    readonly url: string,
    readonly site: string,
    readonly device: string,
    private readonly secret: string,
    private readonly window: number,
    private readonly clientIdPrefix: string,
    /** Called with each PUBACK's delay after the publish, ms (the benchmark's latency figures). */
    private readonly onAck?: (latencyMs: number) => void,
  ) {}

  async start(): Promise<void> {
    this.client = await connectAsync(this.url, {
      clientId: `${this.clientIdPrefix}-${this.site}-${this.device}`.slice(0, 128),
      username: `${this.site}/${this.device}`,
      password: this.secret,
      // The embedded broker (aedes) speaks MQTT 3.1.1; Mosquitto accepts it as well.
      protocolVersion: 4,
      clean: true,
      keepalive: 30,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    });
    this.client.on('error', (e) => (this.lastError = e));
  }

  /** Resolves once the message is handed to the client within the window (not when acknowledged). */
  async publish(message: OutgoingMessage): Promise<void> {
    while (this.inFlight >= this.window) await new Promise<void>((resolve) => this.waiters.push(resolve));
    const client = this.client;
    if (this.stopped) return;
    if (!client) throw new Error(`${this.site}/${this.device}: not connected`);
    this.inFlight += 1;
    this.stats.sent += 1;
    const sentAt = this.onAck ? performance.now() : 0;
    client.publish(message.topic, message.payload, { qos: 1 }, (err) => {
      this.inFlight -= 1;
      if (err) {
        this.stats.failed += 1;
        this.lastError = err;
      } else {
        this.stats.acked += 1;
        this.onAck?.(performance.now() - sentAt);
      }
      this.waiters.shift()?.();
      if (this.inFlight === 0) for (const w of this.idle.splice(0)) w();
    });
  }

  /** Live readings: a device whose window is full (the service is not acknowledging) drops the reading instead of queueing without bound. */
  tryPublish(message: OutgoingMessage): boolean {
    if (this.inFlight >= this.window || this.stopped) return false;
    void this.publish(message);
    return true;
  }

  /** Resolves when every message sent so far is acknowledged (or failed). */
  async drain(): Promise<void> {
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  /** Safe to call twice. */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.stopped = true;
    for (const w of this.waiters.splice(0)) w();
    if (client) await client.endAsync(true);
  }
}
