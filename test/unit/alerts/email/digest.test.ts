import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DigestScheduler, type DigestSite } from '../../../../src/alerts/email/digest.js';
import { createMailComposer } from '../../../../src/alerts/email/notifier.js';
import type { NewAlert } from '../../../../src/alerts/state-port.js';
import { SqliteStateStore } from '../../../../src/storage/state/sqlite-state-store.js';
import { recipient } from './fixtures.js';

const composer = createMailComposer({ publicUrl: 'https://energie.example.fr' });
/** Tuesday 2026-11-24 07:00 in Paris. */
const DIGEST_MS = Date.UTC(2026, 10, 24, 6, 0);
const MONDAY_10H = Date.UTC(2026, 10, 23, 9, 0);

const sites: DigestSite[] = [
  {
    id: 'cleon-bureaux', name: 'Bureaux – Cléon', timezone: 'Europe/Paris', devices: [{ id: 'tgbt', name: 'TGBT principal' }],
    notifications: [recipient({ email: 'energie@example.fr', severities: ['info', 'warning'] }), recipient({ email: 'astreinte@example.fr' })],
  },
  {
    id: 'rouen-formation', name: 'Formation – Rouen', timezone: 'Europe/Paris', devices: [{ id: 'co2' }],
    notifications: [recipient({ email: 'ENERGIE@example.fr', severities: ['info'] }), recipient({ email: 'site@example.com', severities: ['info'], language: 'en' })],
  },
];

function info(site: string, device: string, openedMs: number, rule = 'r'): NewAlert {
  return { site, device, rule, ruleType: 'out-of-hours', quantity: 'energy_kwh', severity: 'info', startMs: openedMs, openedMs, updatedMs: openedMs, measured: 42, expected: 30, unit: 'kWh', summary: 's' };
}

describe('daily digest of info alerts', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function setup(nowMs = DIGEST_MS) {
    const store = new SqliteStateStore({ dataDir: ':memory:' });
    await store.start();
    const scheduled: { hour: number; minute: number; timezone: string; job: () => void }[] = [];
    let kicks = 0;
    const digest = new DigestScheduler({
      store, sites, composer, logger: pino({ level: 'silent' }), now: () => nowMs, onEnqueued: () => kicks++,
      schedule: (hour, minute, timezone, job) => (scheduled.push({ hour, minute, timezone, job }), { stop() {} }),
    });
    cleanups.push(async () => {
      await digest.stop();
      await store.stop();
    });
    return { store, digest, scheduled, kicks: () => kicks };
  }

  it('mails each info recipient once with its sites\' info alerts of the previous local day, and is idempotent', async () => {
    const { store, digest, scheduled, kicks } = await setup();
    await store.transaction(async (tx) => {
      await tx.insertAlert(info('cleon-bureaux', 'tgbt', MONDAY_10H));
      await tx.insertAlert(info('rouen-formation', 'co2', MONDAY_10H + 3_600_000));
      await tx.insertAlert(info('cleon-bureaux', 'tgbt', Date.UTC(2026, 10, 22, 22, 30), 'sunday-night')); // 23:30 Sunday in Paris
      await tx.insertAlert(info('cleon-bureaux', 'tgbt', Date.UTC(2026, 10, 23, 23, 30), 'tuesday-early')); // 00:30 Tuesday in Paris
      await tx.insertAlert({ ...info('cleon-bureaux', 'tgbt', MONDAY_10H, 'warn'), severity: 'warning' });
    });
    await digest.start();
    expect(scheduled.map(({ hour, minute, timezone }) => ({ hour, minute, timezone }))).toEqual([{ hour: 7, minute: 0, timezone: 'Europe/Paris' }]);
    await expect.poll(() => kicks()).toBe(1); // the catch-up run at start (it is past 07:00)

    const depth = await store.read.outboxDepth();
    expect(depth).toBe(2);
    const due = await store.read.dueMails(DIGEST_MS, 10);
    const fr = due.find((m) => m.recipient === 'energie@example.fr')!;
    expect(fr.kind).toBe('digest');
    expect(fr.subject).toBe('Synthèse des alertes d’information du lundi 23 novembre 2026 (2)');
    expect(fr.text).toContain('Bureaux – Cléon (https://energie.example.fr/#/site/cleon-bureaux)\n- 10:00 – TGBT principal : consommation hors horaires, mesuré 42\u00a0kWh, attendu 30\u00a0kWh\n');
    expect(fr.text).toContain('Formation – Rouen (https://energie.example.fr/#/site/rouen-formation)\n- 11:00 – co2 : consommation hors horaires');
    const en = due.find((m) => m.recipient === 'site@example.com')!;
    expect(en.subject).toBe('Digest of information alerts, Monday, 23 November 2026 (1)');
    expect(en.text).not.toContain('Cléon');

    // A second run (the cron job at 07:00, or a restart) enqueues nothing new.
    expect(await digest.run('Europe/Paris', DIGEST_MS + 60_000)).toBe(0);
    scheduled[0]!.job();
    expect(await store.read.outboxDepth()).toBe(2);
  });

  it('before the digest time, start does not run it; a day without info alerts mails nothing', async () => {
    const { store, digest, kicks } = await setup(DIGEST_MS - 60_000);
    await digest.start();
    expect(await digest.run('Europe/Paris', DIGEST_MS)).toBe(0);
    expect(await store.read.outboxDepth()).toBe(0);
    expect(kicks()).toBe(0);
  });

  it('refuses a bad digest time at start', async () => {
    const store = new SqliteStateStore({ dataDir: ':memory:' });
    const digest = new DigestScheduler({ store, sites, composer, logger: pino({ level: 'silent' }), atLocalTime: '7h' });
    await expect(digest.start()).rejects.toThrow('digest time: "7h" is not a time HH:MM');
  });
});
