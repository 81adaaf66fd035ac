import { afterEach, describe, expect, it } from 'vitest';
import { Accounts } from '../../../src/accounts/accounts.js';
import { hashPassword, verifyPassword } from '../../../src/accounts/passwords.js';
import { UserInputError } from '../../../src/accounts/user-input.js';
import { SqliteAccounts } from '../../../src/storage/state/sqlite-accounts.js';
import { SqliteStateStore } from '../../../src/storage/state/sqlite-state-store.js';

const stores: SqliteStateStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.stop();
});

async function setup(nowMs = 1_000_000) {
  const state = new SqliteStateStore({ dataDir: ':memory:' });
  await state.start();
  stores.push(state);
  const clock = { nowMs };
  const accounts = new Accounts({ store: new SqliteAccounts(state), siteIds: ['cleon-bureaux', 'elbeuf-atelier'], now: () => clock.nowMs });
  return { accounts, clock, state };
}

const inputError = async (p: Promise<unknown>) => {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(UserInputError);
  return err as UserInputError;
};

describe('passwords (scrypt N=2^17, r=8, p=1)', () => {
  it('stores the parameters and verifies only the right password', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$[\w-]+\$[\w-]{43}$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('correct horse battery', null)).toBe(false);
  });
});

describe('accounts on the SQLite state store', () => {
  it('refuses bad fields, each naming its field', async () => {
    const { accounts } = await setup();
    expect((await inputError(accounts.addUser({ email: 'a@b.fr', role: 'admin', password: 'short' }))).field).toBe('password');
    expect((await inputError(accounts.addUser({ email: 'nope', role: 'admin', password: 'long enough pass' }))).field).toBe('email');
    expect((await inputError(accounts.addUser({ email: 'a@b.fr', role: 'root', password: 'long enough pass' }))).field).toBe('role');
    const sites = await inputError(accounts.addUser({ email: 'a@b.fr', role: 'site-manager', sites: ['rouen'], password: 'long enough pass' }));
    expect(sites.message).toContain('sites: unknown site "rouen"');
    expect((await inputError(accounts.addUser({ email: 'a@b.fr', role: 'site-manager', sites: [], password: 'long enough pass' }))).field).toBe('sites');
    await accounts.addUser({ email: 'A@b.fr', role: 'admin', password: 'long enough pass' });
    expect((await inputError(accounts.addUser({ email: 'a@B.fr', role: 'admin', password: 'long enough pass' }))).message).toContain('already exists');
  });

  it('logs in, keeps a session within its idle and absolute limits, and ends it when the user is disabled', async () => {
    const { accounts, clock } = await setup();
    await accounts.addUser({ email: 'admin@x.fr', role: 'admin', password: 'admin password 1' });
    const manager = await accounts.addUser({ email: 'sm@x.fr', role: 'site-manager', sites: ['cleon-bureaux'], password: 'manager password' });
    expect(await accounts.verifyLogin('sm@x.fr', 'wrong password!')).toBeNull();
    const user = await accounts.verifyLogin('SM@x.fr', 'manager password');
    expect(user).toMatchObject({ id: manager.id, role: 'site-manager', sites: ['cleon-bureaux'] });
    expect(user).not.toHaveProperty('passwordHash');

    const { id } = await accounts.openSession(user!);
    expect((await accounts.sessionCaller(id))?.user.email).toBe('sm@x.fr');
    clock.nowMs += accounts.limits.idleMs + 1;
    expect(await accounts.sessionCaller(id)).toBeNull();

    const second = await accounts.openSession(user!);
    for (let t = 0; t < accounts.limits.absoluteMs; t += accounts.limits.idleMs / 2) {
      clock.nowMs += accounts.limits.idleMs / 2;
      if (clock.nowMs - second.session.createdMs <= accounts.limits.absoluteMs) expect(await accounts.sessionCaller(second.id)).not.toBeNull();
    }
    clock.nowMs += accounts.limits.idleMs / 2;
    expect(await accounts.sessionCaller(second.id), 'absolute timeout').toBeNull();

    const third = await accounts.openSession(user!);
    await accounts.updateUser(manager.id, { disabled: true });
    expect(await accounts.sessionCaller(third.id)).toBeNull();
    expect(await accounts.verifyLogin('sm@x.fr', 'manager password')).toBeNull();
  });

  it('keeps the last active admin', async () => {
    const { accounts } = await setup();
    const admin = await accounts.addUser({ email: 'admin@x.fr', role: 'admin', password: 'admin password 1' });
    expect((await inputError(accounts.updateUser(admin.id, { disabled: true }))).field).toBe('disabled');
    expect((await inputError(accounts.updateUser(admin.id, { role: 'working-group' }))).field).toBe('role');
  });

  it('stores tokens hashed, refuses revoked ones and those of a disabled user', async () => {
    const { accounts, state } = await setup();
    await accounts.addUser({ email: 'admin@x.fr', role: 'admin', password: 'admin password 1' });
    const wg = await accounts.addUser({ email: 'wg@x.fr', role: 'working-group', password: 'working group pw' });
    const { token, record } = await accounts.createToken(wg, 'grafana');
    expect(token).toMatch(/^sbe_[\w-]{43}$/);
    const stored = await state.exclusive((db) => db.prepare('SELECT token_hash FROM api_tokens').all() as Array<{ token_hash: string }>);
    expect(stored.map((r) => r.token_hash)).not.toContain(token);
    expect((await accounts.tokenCaller(token))?.user.email).toBe('wg@x.fr');
    await accounts.updateUser(wg.id, { disabled: true });
    expect(await accounts.tokenCaller(token)).toBeNull();
    await accounts.updateUser(wg.id, { disabled: false });
    expect(await accounts.tokenCaller(token)).not.toBeNull();
    expect(await accounts.store.revokeToken(record.id, 999, 1)).toBe(false);
    expect(await accounts.store.revokeToken(record.id, wg.id, 1)).toBe(true);
    expect(await accounts.tokenCaller(token)).toBeNull();
  });
});
