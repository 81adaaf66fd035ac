import { randomBytes } from 'node:crypto';
import { Accounts } from '../../accounts/accounts.js';
import { UserInputError } from '../../accounts/user-input.js';
import { SqliteAccounts } from '../../storage/state/sqlite-accounts.js';
import { SqliteStateStore } from '../../storage/state/sqlite-state-store.js';
import { CliError } from '../cli-error.js';
import { loadContext } from '../context.js';

export const usersHelp = `users add --email E --role admin|working-group|site-manager [--sites a,b] [--password-stdin]
    Adds a user. Without --password-stdin a random password is printed once.
  users list
  users disable --email E          ends their sessions at once; users enable --email E undoes it
  users reset-password --email E [--password-stdin]
  users set-sites --email E --sites a,b
  users token --email E [--name N]  prints a new API token once
    Works while the service runs: both open DATA_DIR/state.sqlite (SQLite WAL, busy_timeout).`;

export interface UsersOptions {
  email?: string | undefined;
  role?: string | undefined;
  sites?: string | undefined;
  passwordStdin?: boolean | undefined;
  name?: string | undefined;
  config?: string | undefined;
}

const splitSites = (s: string | undefined) => (s === undefined ? undefined : s.split(',').map((x) => x.trim()).filter(Boolean));

/** `users …`: the state store opened from this process; nothing goes through the running service. */
export async function usersCommand(sub: string | undefined, o: UsersOptions, readStdin: () => Promise<string>, out: (line: string) => void): Promise<number> {
  const { env, config } = loadContext(o.config);
  const state = new SqliteStateStore({ dataDir: env.DATA_DIR });
  await state.start();
  const accounts = new Accounts({ store: new SqliteAccounts(state), siteIds: config.sites.map((s) => s.id), now: Date.now });
  const password = async () => {
    if (!o.passwordStdin) return { value: randomBytes(15).toString('base64url'), generated: true };
    // One line from stdin: a password never goes on the command line (ps, shell history).
    return { value: (await readStdin()).replace(/\r?\n$/, ''), generated: false };
  };
  const needUser = async () => {
    if (!o.email) throw new CliError('--email is required');
    const user = await accounts.userByEmail(o.email);
    if (!user) throw new CliError(`--email: no user ${JSON.stringify(o.email)}`);
    return user;
  };
  try {
    switch (sub) {
      case 'add': {
        if (!o.email) throw new CliError('--email is required');
        if (!o.role) throw new CliError('--role is required (admin, working-group, site-manager)');
        const pw = await password();
        const user = await accounts.addUser({ email: o.email, role: o.role, sites: splitSites(o.sites) ?? [], password: pw.value });
        out(`added ${user.email} (${user.role}${user.sites.length ? `: ${user.sites.join(', ')}` : ''})`);
        if (pw.generated) out(`password (shown once): ${pw.value}`);
        return 0;
      }
      case 'list':
        for (const u of await accounts.store.users()) out(`${u.id}\t${u.email}\t${u.role}\t${u.sites.join(',') || '*'}\t${u.disabled ? 'disabled' : 'active'}`);
        return 0;
      case 'disable':
      case 'enable': {
        const user = await needUser();
        await accounts.updateUser(user.id, { disabled: sub === 'disable' });
        out(`${user.email} ${sub}d${sub === 'disable' ? '; their sessions are ended' : ''}`);
        return 0;
      }
      case 'reset-password': {
        const user = await needUser();
        const pw = await password();
        await accounts.updateUser(user.id, { password: pw.value });
        out(`password of ${user.email} reset; their sessions are ended`);
        if (pw.generated) out(`password (shown once): ${pw.value}`);
        return 0;
      }
      case 'set-sites': {
        const user = await needUser();
        const updated = await accounts.updateUser(user.id, { sites: splitSites(o.sites) ?? [] });
        out(`${user.email}: ${updated!.sites.join(', ') || 'every site'}`);
        return 0;
      }
      case 'token': {
        const user = await needUser();
        const { token, record } = await accounts.createToken(user, o.name ?? 'cli');
        out(`token ${record.id} for ${user.email} (shown once): ${token}`);
        return 0;
      }
      default:
        throw new CliError(`unknown users command ${JSON.stringify(sub)} (add, list, disable, enable, reset-password, set-sites, token)`);
    }
  } catch (err) {
    if (err instanceof UserInputError) throw new CliError(`--${err.field === 'password' ? 'password-stdin' : err.field}: ${err.problem}`);
    throw err;
  } finally {
    await state.stop();
  }
}
