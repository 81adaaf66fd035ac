/**
 * The state-store contract: every StateStore adapter (embedded SQLite, PostgreSQL) with its
 * accounts adapter must pass these tests unchanged. Call it from an integration test with a factory that starts a real,
 * empty store and can reopen it on the same data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore } from '../../src/alerts/state-port.js';
import type { NewAlert } from '../../src/alerts/state-port.js';
import { DuplicateEmailError, type AccountStore } from '../../src/accounts/account-store.js';

export interface StateStoreUnderTest {
  store: StateStore;
  /** The accounts adapter on a started store (users, sessions, tokens). */
  accounts: (store: StateStore) => AccountStore;
  /** Stops the store and opens a new one on the same data. */
  reopen: () => Promise<StateStore>;
  cleanup: () => Promise<void>;
}

const T0 = Date.parse('2026-03-02T08:00:00Z');
let siteCounter = 0;
const uniqueSite = () => `site-${++siteCounter}`;

export function newAlert(site: string, overrides: Partial<NewAlert> = {}): NewAlert {
  return {
    site, device: 'tgbt', rule: 'night-load', ruleType: 'out-of-hours', quantity: 'energy_kwh', severity: 'warning',
    startMs: T0, openedMs: T0 + 3_600_000, updatedMs: T0 + 3_600_000, measured: 42.5, expected: 12, unit: 'kWh',
    summary: 'night load above its baseline', ...overrides,
  };
}

export function describeStateStoreContract(name: string, factory: () => Promise<StateStoreUnderTest>): void {
  describe(`state store contract: ${name}`, () => {
    let sut: StateStoreUnderTest;
    let store: StateStore;
    beforeAll(async () => {
      sut = await factory();
      store = sut.store;
    });
    afterAll(async () => {
      await store.stop();
      await sut.cleanup();
    });

    it('keeps an alert with every field and finds it by key', async () => {
      const site = uniqueSite();
      const created = await store.transaction((tx) => tx.insertAlert(newAlert(site)));
      expect(created).toMatchObject({ site, device: 'tgbt', rule: 'night-load', state: 'open', measured: 42.5, expected: 12, flapCount: 0, resolvedMs: null, ackBy: null });
      expect(await store.read.alert(created.id)).toEqual(created);
      expect(await store.read.activeAlert({ site, device: 'tgbt', rule: 'night-load' })).toEqual(created);
      expect(await store.read.activeAlert({ site, device: 'other', rule: 'night-load' })).toBeNull();
    });

    it('refuses a second active alert for one key (a store constraint), and allows one after resolving', async () => {
      const site = uniqueSite();
      const first = await store.transaction((tx) => tx.insertAlert(newAlert(site)));
      await expect(store.transaction((tx) => tx.insertAlert(newAlert(site)))).rejects.toThrow(/UNIQUE|unique/);
      await store.transaction((tx) => tx.updateAlert(first.id, { state: 'acknowledged', ackBy: 'anne@example.org', ackComment: 'on it', ackMs: T0 + 5 }));
      await expect(store.transaction((tx) => tx.insertAlert(newAlert(site)))).rejects.toThrow(/UNIQUE|unique/);
      await store.transaction((tx) => tx.updateAlert(first.id, { state: 'resolved', resolvedMs: T0 + 10 }));
      const second = await store.transaction((tx) => tx.insertAlert(newAlert(site, { startMs: T0 + 20 })));
      expect(second.id).not.toBe(first.id);
      expect((await store.read.lastResolvedAlert({ site, device: 'tgbt', rule: 'night-load' }))?.id).toBe(first.id);
      expect(await store.read.alerts({ sites: [site] })).toHaveLength(2);
    });

    it('rolls back every write of a transaction that throws', async () => {
      const site = uniqueSite();
      await expect(
        store.transaction(async (tx) => {
          const a = await tx.insertAlert(newAlert(site));
          await tx.addAlertEvent({ alertId: a.id, atMs: T0, kind: 'opened', by: null, detail: {} });
          await tx.putRuleState({ site, device: 'tgbt', rule: 'night-load' }, { phase: 'active' }, T0);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.read.alerts({ sites: [site] })).toEqual([]);
      expect(await store.read.ruleState({ site, device: 'tgbt', rule: 'night-load' })).toBeNull();
    });

    it('runs concurrent transactions one at a time: no lost update', async () => {
      const site = uniqueSite();
      const a = await store.transaction((tx) => tx.insertAlert(newAlert(site)));
      await Promise.all(
        Array.from({ length: 20 }, () =>
          store.transaction(async (tx) => {
            const current = (await tx.alert(a.id))!;
            await new Promise((r) => setTimeout(r, 1));
            await tx.updateAlert(a.id, { flapCount: current.flapCount + 1 });
          }),
        ),
      );
      expect((await store.read.alert(a.id))!.flapCount).toBe(20);
    });

    it('keeps the history of an alert in order', async () => {
      const site = uniqueSite();
      const a = await store.transaction(async (tx) => {
        const alert = await tx.insertAlert(newAlert(site));
        await tx.addAlertEvent({ alertId: alert.id, atMs: T0, kind: 'opened', by: null, detail: { measured: 42.5 } });
        await tx.addAlertEvent({ alertId: alert.id, atMs: T0 + 1, kind: 'acknowledged', by: 'anne@example.org', detail: { comment: 'chauffage' } });
        return alert;
      });
      const events = await store.read.alertEvents(a.id);
      expect(events.map((e) => [e.kind, e.by, e.detail])).toEqual([
        ['opened', null, { measured: 42.5 }],
        ['acknowledged', 'anne@example.org', { comment: 'chauffage' }],
      ]);
    });

    it('filters alerts by state, site, severity and period', async () => {
      const site = uniqueSite();
      const other = uniqueSite();
      await store.transaction(async (tx) => {
        await tx.insertAlert(newAlert(site, { rule: 'a', severity: 'critical', startMs: T0 }));
        const b = await tx.insertAlert(newAlert(site, { rule: 'b', severity: 'info', startMs: T0 + 86_400_000 }));
        await tx.updateAlert(b.id, { state: 'resolved', resolvedMs: T0 + 2 * 86_400_000 });
        await tx.insertAlert(newAlert(other, { rule: 'c' }));
      });
      const rules = async (f: Parameters<StateStore['read']['alerts']>[0]) => (await store.read.alerts(f)).map((a) => a.rule).sort();
      expect(await rules({ sites: [site] })).toEqual(['a', 'b']);
      expect(await rules({ sites: [site], states: ['open'] })).toEqual(['a']);
      expect(await rules({ sites: [site], severities: ['info'] })).toEqual(['b']);
      expect(await rules({ sites: [site, other], fromMs: T0 + 3 * 86_400_000 })).toEqual(['a', 'c']);
      expect(await rules({ sites: [site], toMs: T0 + 1 })).toEqual(['a']);
      expect(await rules({ sites: [] })).toEqual([]);
    });

    it('keeps rule state per key and overwrites it', async () => {
      const site = uniqueSite();
      const key = { site, device: 'co2', rule: 'co2-high' };
      await store.transaction((tx) => tx.putRuleState(key, { phase: 'pending', sinceMs: T0 }, T0));
      await store.transaction((tx) => tx.putRuleState(key, { phase: 'active', sinceMs: T0 }, T0 + 1));
      expect(await store.read.ruleState(key)).toEqual({ phase: 'active', sinceMs: T0 });
    });

    it('keeps silences and finds those active at an instant', async () => {
      const site = uniqueSite();
      const s = await store.transaction((tx) => tx.insertSilence({ site, device: 'gaz', fromMs: T0, toMs: T0 + 3_600_000, reason: 'maintenance chaudière', createdBy: 'anne@example.org', createdMs: T0 }));
      expect(await store.read.silences({ sites: [site], activeAtMs: T0 + 10 })).toEqual([s]);
      expect(await store.read.silences({ sites: [site], activeAtMs: T0 + 3_600_000 })).toEqual([]);
      expect(await store.transaction((tx) => tx.deleteSilence(s.id))).toBe(true);
      expect(await store.read.silence(s.id)).toBeNull();
    });

    it('enqueues a mail once per Message-ID and tracks its attempts', async () => {
      const id = `<contract-${uniqueSite()}@example.org>`;
      const mail = { messageId: id, kind: 'alert-opened' as const, alertId: null, recipient: 'gt@example.org', subject: 's', text: 't', html: null, createdMs: T0, nextAttemptMs: T0 };
      expect(await store.transaction((tx) => tx.enqueueMail(mail))).toBe(true);
      expect(await store.transaction((tx) => tx.enqueueMail(mail))).toBe(false);
      const due = (await store.read.dueMails(T0, 100)).filter((m) => m.messageId === id);
      expect(due).toHaveLength(1);
      await store.transaction((tx) => tx.markMailFailed(due[0]!.id, '421 try later', T0 + 60_000));
      expect((await store.read.dueMails(T0 + 1, 100)).some((m) => m.messageId === id)).toBe(false);
      expect((await store.read.mail(id))).toMatchObject({ attempts: 1, lastError: '421 try later', sentMs: null });
      await store.transaction((tx) => tx.markMailSent(due[0]!.id, T0 + 60_001));
      expect(await store.read.mail(id)).toMatchObject({ attempts: 2, lastError: null, sentMs: T0 + 60_001 });
      expect(await store.read.sentCount('gt@example.org', T0)).toBeGreaterThanOrEqual(1);
    });

    it('keeps what was committed across a reopen', async () => {
      const site = uniqueSite();
      const a = await store.transaction((tx) => tx.insertAlert(newAlert(site)));
      store = await sut.reopen();
      expect(await store.read.alert(a.id)).toEqual(a);
      await expect(store.transaction((tx) => tx.insertAlert(newAlert(site)))).rejects.toThrow(/UNIQUE|unique/);
    });

    it('keeps users with their sites, one per e-mail whatever its case', async () => {
      const accounts = sut.accounts(store);
      const email = `Anne.${uniqueSite()}@Example.org`;
      const u = await accounts.insertUser({ email, role: 'site-manager', sites: ['b-site', 'a-site'], passwordHash: 'scrypt$x', nowMs: T0 });
      expect(u).toMatchObject({ email: email.toLowerCase(), role: 'site-manager', sites: ['a-site', 'b-site'], disabled: false, createdMs: T0 });
      await expect(accounts.insertUser({ email: email.toUpperCase(), role: 'admin', sites: [], passwordHash: 'h', nowMs: T0 })).rejects.toBeInstanceOf(DuplicateEmailError);
      expect(await accounts.userByEmail(email.toUpperCase())).toMatchObject({ id: u.id, passwordHash: 'scrypt$x' });
      expect(await accounts.user(u.id)).toEqual(u);
      expect((await accounts.users()).some((x) => x.id === u.id)).toBe(true);
      const admins = await accounts.countActiveAdmins();
      const admin = await accounts.insertUser({ email: `root.${uniqueSite()}@example.org`, role: 'admin', sites: [], passwordHash: 'h', nowMs: T0 });
      expect(await accounts.countActiveAdmins()).toBe(admins + 1);
      await accounts.updateUser(admin.id, { disabled: true }, T0 + 1);
      expect(await accounts.countActiveAdmins()).toBe(admins);
      expect(await accounts.updateUser(9_999_999, { role: 'admin' }, T0)).toBeNull();
    });

    it('keeps sessions, refuses those of a disabled user, ends them on a privilege change and when expired', async () => {
      const accounts = sut.accounts(store);
      const u = await accounts.insertUser({ email: `s.${uniqueSite()}@example.org`, role: 'working-group', sites: [], passwordHash: 'h', nowMs: T0 });
      const idHash = `sess-${uniqueSite()}`;
      await accounts.insertSession({ idHash, userId: u.id, csrfToken: 'csrf', createdMs: T0, lastSeenMs: T0 });
      expect(await accounts.session(idHash)).toEqual({ session: { idHash, userId: u.id, csrfToken: 'csrf', createdMs: T0, lastSeenMs: T0 }, user: u });
      await accounts.touchSession(idHash, T0 + 5);
      expect((await accounts.session(idHash))!.session.lastSeenMs).toBe(T0 + 5);
      const updated = await accounts.updateUser(u.id, { sites: ['x'], role: 'site-manager' }, T0 + 6);
      expect(updated).toMatchObject({ role: 'site-manager', sites: ['x'], updatedMs: T0 + 6 });
      expect(await accounts.session(idHash)).toBeNull();
      const other = `sess-${uniqueSite()}`;
      await accounts.insertSession({ idHash: other, userId: u.id, csrfToken: 'c2', createdMs: T0, lastSeenMs: T0 });
      await accounts.updateUser(u.id, { disabled: false }, T0 + 7);
      expect(await accounts.session(other)).not.toBeNull();
      expect(await accounts.deleteExpiredSessions(T0 + 1, T0 - 1)).toBeGreaterThanOrEqual(1);
      expect(await accounts.session(other)).toBeNull();
      const third = `sess-${uniqueSite()}`;
      await accounts.insertSession({ idHash: third, userId: u.id, csrfToken: 'c3', createdMs: T0 + 10, lastSeenMs: T0 + 10 });
      await accounts.deleteSession(third);
      expect(await accounts.session(third)).toBeNull();
    });

    it('keeps API tokens by hash, revoked only by their owner or an admin, refused for a disabled user', async () => {
      const accounts = sut.accounts(store);
      const u = await accounts.insertUser({ email: `t.${uniqueSite()}@example.org`, role: 'working-group', sites: [], passwordHash: 'h', nowMs: T0 });
      const tokenHash = `hash-${uniqueSite()}`;
      const t = await accounts.insertToken({ userId: u.id, name: 'export', tokenHash, createdMs: T0 });
      expect(t).toEqual({ id: t.id, userId: u.id, name: 'export', createdMs: T0, lastUsedMs: null, revokedMs: null });
      await accounts.touchToken(t.id, T0 + 3);
      expect(await accounts.tokenByHash(tokenHash)).toMatchObject({ token: { lastUsedMs: T0 + 3 }, user: { id: u.id } });
      expect(await accounts.tokens(u.id)).toHaveLength(1);
      await accounts.updateUser(u.id, { disabled: true }, T0 + 4);
      expect(await accounts.tokenByHash(tokenHash)).toBeNull();
      await accounts.updateUser(u.id, { disabled: false }, T0 + 5);
      expect(await accounts.revokeToken(t.id, u.id + 1_000_000, T0 + 6)).toBe(false);
      expect(await accounts.revokeToken(t.id, u.id, T0 + 6)).toBe(true);
      expect(await accounts.revokeToken(t.id, null, T0 + 7)).toBe(false);
      expect(await accounts.tokenByHash(tokenHash)).toBeNull();
    });
  });
}
