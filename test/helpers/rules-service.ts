import type { MqttClient } from 'mqtt';
import { parseEnv } from '../../src/config/env.js';
import { TEST_ADMIN } from './service-process.js';
import { configSchema, type AppConfig } from '../../src/config/schema.js';
import { createLogger } from '../../src/observability/logger.js';
import { loadRules } from '../../src/rules/load-rules.js';
import { defaultRegistry } from '../../src/rules/registry.js';
import { startService, type RunningService } from '../../src/service.js';
import { connectClient, endClient, publishQos1 } from './mqtt.js';

export const MIN = 60_000;
export const RECIPIENT = 'gestion@site.example.fr';
export const SECRET = 'test-secret-salle';

/** The CO2 rule of the issue: above 1,500 ppm for 15 min, clears under 1,200 for 10 min. */
export const CO2_RULE = { id: 'co2-high', type: 'threshold', select: { quantities: ['co2_ppm'] }, above: 1500, clearAt: 1200, for: '15m', clearFor: '10m' };

/** One site, one multi-sensor, mailed to RECIPIENT; `rules` is the site configuration's `rules:`. */
export function siteConfigObject(rules: Record<string, unknown>[]): Record<string, unknown> {
  return {
    sites: [
      {
        id: 'site-a', name: 'Site A', usage: 'office', floorAreaM2: 1000, timezone: 'Europe/Paris',
        devices: [{ id: 'salle', kind: 'multi-sensor', quantities: ['co2_ppm'], secret: SECRET }],
        notifications: [{ email: RECIPIENT, language: 'fr' }],
      },
    ],
    rules,
  };
}

/**
 * The whole service in this process (embedded broker, DuckDB and SQLite in `dataDir`, or InfluxDB
 * and PostgreSQL when given) on a clock the test moves: readings are stamped with it, and rule
 * cycles run when the test calls them.
 */
export class ClockedService {
  nowMs: number;
  service: RunningService | null = null;
  private client: MqttClient | null = null;
  readonly config: AppConfig;

  constructor(
    private readonly options: { dataDir: string; startMs: number; rules: Record<string, unknown>[]; smtpUrl?: string; databaseUrl?: string; instanceId?: string; influxUrl?: string; shareGroup?: string },
  ) {
    this.nowMs = options.startMs;
    this.config = configSchema.parse(siteConfigObject(options.rules));
  }

  async start(): Promise<RunningService> {
    const env = parseEnv({
      DATA_DIR: this.options.dataDir, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', MQTT_HOST: '127.0.0.1', MQTT_PORT: '0', LOG_LEVEL: 'silent',
      ALERT_EMAIL_FROM: 'alertes@energie.example.fr', PUBLIC_URL: 'https://energie.example.fr',
      ...(this.options.smtpUrl ? { SMTP_URL: this.options.smtpUrl } : {}),
      // A shared reading store (several instances): InfluxDB instead of the DuckDB file in dataDir.
      ...(this.options.influxUrl ? { INFLUX_URL: this.options.influxUrl } : {}),
      // Declares the instances as sharing the load (the live relay runs); the embedded broker ignores it.
      ...(this.options.shareGroup ? { MQTT_SHARE_GROUP: this.options.shareGroup } : {}),
      ...(this.options.databaseUrl ? { DATABASE_URL: this.options.databaseUrl, INSTANCE_ID: this.options.instanceId ?? 'clocked' } : {}),
    });
    const rules = loadRules({ config: this.config, registry: defaultRegistry() });
    // The sender's own timer is far off: the test runs its passes (mail.pass()) on its clock.
    this.service = await startService({ config: this.config, env, logger: createLogger('silent'), now: () => this.nowMs, rules, bootstrapAdmin: TEST_ADMIN, mail: { pollIntervalMs: 3_600_000, random: () => 0.5 } });
    this.client = await connectClient(`mqtt://127.0.0.1:${this.service.mqttAddress!.port}`, { username: 'site-a/salle', password: SECRET });
    return this.service;
  }

  /** Publishes one CO2 reading stamped `tsMs` (QoS 1: resolves once it is durable). */
  async publish(tsMs: number, ppm: number): Promise<void> {
    await publishQos1(this.client!, 'sites/site-a/devices/salle', JSON.stringify({ ts: tsMs, co2_ppm: ppm }));
  }

  /**
   * A reading a minute at minutes [from, to] after `baseMs`, the clock set to each one and a
   * minute rule cycle run just after it is settled, as the cron task would.
   */
  async minutes(baseMs: number, from: number, to: number, ppm: (m: number) => number, step = 1): Promise<void> {
    for (let m = from; m <= to; m += step) {
      this.nowMs = baseMs + m * MIN;
      await this.publish(this.nowMs, ppm(m));
      await this.waitStored(this.nowMs);
      this.nowMs += 15_001;
      await this.service!.scheduler.run('minute');
    }
  }

  private async waitStored(tsMs: number): Promise<void> {
    // PUBACK means durable (store or spool); wait until the store answers with it.
    for (let i = 0; i < 500; i += 1) {
      const found = await this.service!.store.readingAtOrBefore({ site: 'site-a', device: 'salle', quantity: 'co2_ppm', atMs: tsMs });
      if (found && found.tsMs === tsMs) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`reading at ${new Date(tsMs).toISOString()} not in the store`);
  }

  async stop(): Promise<void> {
    await endClient(this.client);
    this.client = null;
    await this.service?.stop();
    this.service = null;
  }
}
