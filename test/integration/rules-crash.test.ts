import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, endClient, publishQos1, waitUntil } from '../helpers/mqtt.js';
import { CO2_RULE, RECIPIENT, SECRET, siteConfigObject } from '../helpers/rules-service.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTestSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';

const FOR_MS = 2 * 60_000;

/**
 * kill -9 of the real service process (`src/main.ts`, real clock and cron): once in the middle of
 * a rule's duration, once with an alert e-mail waiting in the outbox while the SMTP server is
 * down. The alert still opens on time, once; the mail is delivered once after the restart.
 * The rule lasts 2 min instead of 15 so that the test runs on the wall clock in a few minutes;
 * the in-process test (rules-restart.test.ts) does the 15 min on an injected clock.
 */
describe('kill -9 of the service process mid-duration and with mail in the outbox', () => {
  let dir: TempDir | null = null;
  let smtp: TestSmtpServer | null = null;
  let proc: ServiceProcess | null = null;
  let client: MqttClient | null = null;
  let publishing = false;
  afterEach(async () => {
    publishing = false;
    await endClient(client);
    await proc?.kill9();
    await smtp?.close();
    await dir?.remove();
  });

  /** Reads the service's state file from this process, as the CLI does while the service runs. */
  function state<T>(sql: string, ...params: unknown[]): T[] {
    const db = new Database(join(dir!.path, 'state.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }
  const tableExists = () => {
    try {
      return state<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE name = 'rule_state'")[0]!.n === 1;
    } catch {
      return false;
    }
  };

  /** On failure, the service's last log lines and the rule state: a wall-clock test is hard to replay. */
  async function withLogs(wait: () => Promise<void>): Promise<void> {
    try {
      await wait();
    } catch (error) {
      const ruleState = tableExists() ? state('SELECT * FROM rule_state') : [];
      const exit = proc ? `exit code ${proc.child.exitCode}, signal ${proc.child.signalCode}` : 'no process';
      throw new Error(`${(error as Error).message}\nservice: ${exit}\nrule_state: ${JSON.stringify(ruleState)}\nreadings sent: ${sent}\nservice log:\n${proc?.logs().slice(-60).join('\n')}`, { cause: error });
    }
  }

  async function start(env: Record<string, string>) {
    proc = await startServiceProcess({ env });
    client = await connectClient(`mqtt://127.0.0.1:${proc.mqttPort}`, { username: 'site-a/salle', password: SECRET });
  }

  /** A CO2 sensor reading 1,800 ppm every 5 s, stamped with its own clock, until told to stop. */
  const firstReadingMs: number[] = [];
  let sent = 0;
  function publishLoop() {
    publishing = true;
    void (async () => {
      while (publishing) {
        const tsMs = Date.now();
        try {
          if (client?.connected) {
            // bounded: a PUBACK lost with the killed service must not stall the device for good
            await Promise.race([
              publishQos1(client, 'sites/site-a/devices/salle', JSON.stringify({ ts: tsMs, co2_ppm: 1800 })),
              new Promise((_, reject) => setTimeout(() => reject(new Error('no PUBACK within 10 s')), 10_000)),
            ]);
            sent += 1;
            if (firstReadingMs.length === 0) firstReadingMs.push(tsMs);
          }
        } catch {
          // the service was killed under the publish: the device carries on with the next one
        }
        await new Promise((r) => setTimeout(r, 5000));
      }
    })();
  }

  it('opens the alert on time once after a crash mid-duration, and delivers its mail once after a crash with it in the outbox', async () => {
    dir = await createTempDir('sbe-rules-crash-');
    smtp = await createTestSmtpServer(); // created, not listening: the SMTP server is down
    const configFile = join(dir.path, 'sites.yaml');
    await writeFile(configFile, JSON.stringify(siteConfigObject([{ ...CO2_RULE, for: '2m', clearFor: '1m' }])));
    const env = { DATA_DIR: dir.path, CONFIG: configFile, SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, ALERT_EMAIL_FROM: 'alertes@energie.example.fr' };

    await start(env);
    publishLoop();
    // a minute cycle has judged the first readings: the condition is pending, persisted
    await withLogs(() => waitUntil(() => tableExists() && state<{ state: string }>('SELECT state FROM rule_state').some((r) => JSON.parse(r.state).machine.phase === 'pending'), 90_000, 'a pending rule state', 250));
    const [pending] = state<{ state: string }>('SELECT state FROM rule_state');
    const since = JSON.parse(pending!.state).machine.sinceMs as number;
    expect(since).toBe(firstReadingMs[0]);
    expect(Date.now() - since).toBeLessThan(FOR_MS);
    expect(state('SELECT * FROM alerts')).toEqual([]);

    // crash mid-duration, restart at once; the sensor keeps publishing
    await proc!.kill9();
    await endClient(client);
    await start(env);
    await withLogs(() => waitUntil(() => state('SELECT id FROM alerts').length > 0, 200_000, 'the alert to open', 250));
    const alerts = state<{ start_ms: number; opened_ms: number; state: string }>('SELECT * FROM alerts');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.start_ms).toBe(since);
    // on time: at the first reading 2 min after the first one (5 s apart, plus the restart's gap)
    expect(alerts[0]!.opened_ms - since).toBeGreaterThanOrEqual(FOR_MS);
    expect(alerts[0]!.opened_ms - since).toBeLessThan(FOR_MS + 20_000);

    // the mail is in the outbox, tried once and failed (nothing listens)
    await withLogs(() => waitUntil(() => state<{ attempts: number }>('SELECT attempts FROM outbox').some((m) => m.attempts >= 1), 60_000, 'a failed attempt', 250));
    const [queued] = state<{ message_id: string; sent_ms: number | null; recipient: string }>('SELECT * FROM outbox');
    expect(queued).toMatchObject({ sent_ms: null, recipient: RECIPIENT });

    // crash with the mail in the outbox; the SMTP server comes back; restart
    await proc!.kill9();
    publishing = false;
    await endClient(client);
    await smtp.listen();
    await start(env);
    await withLogs(() => waitUntil(() => smtp!.received.length > 0, 120_000, 'the mail to be delivered', 250));
    // one more poll of the outbox (15 s) and a rule cycle: still one
    await new Promise((r) => setTimeout(r, 20_000));
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.messageId).toBe(queued!.message_id);
    expect(smtp.received[0]!.to).toEqual([RECIPIENT]);
    expect(state<{ sent_ms: number | null }>('SELECT sent_ms FROM outbox')).toEqual([{ sent_ms: expect.any(Number) }]);
    expect(state('SELECT id FROM alerts')).toHaveLength(1);
    expect(await proc!.terminate()).toBe(0);
  }, 480_000);
});
