import type { Accounts } from './accounts.js';

export interface BootstrapAdminOptions {
  email?: string | undefined;
  password?: string | undefined;
  /**
   * The demo (DEMO=1, or `startService({ bootstrapAdmin: { demo: true } })`): with no admin and no
   * ADMIN_* variables, a demo admin `demo@demo.invalid` / `demo-password-2026` is created instead
   * of refusing to start. Published credentials: only for a demo on loopback.
   */
  demo?: boolean;
}

export const DEMO_ADMIN = { email: 'demo@demo.invalid', password: 'demo-password-2026' } as const;

export class BootstrapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BootstrapError';
  }
}

/** At first start, an admin from ADMIN_EMAIL / ADMIN_PASSWORD; start-up refuses to run with no admin at all (issue 11). */
export async function bootstrapAdmin(accounts: Accounts, options: BootstrapAdminOptions): Promise<{ created: string | null; demo: boolean }> {
  if ((await accounts.store.countActiveAdmins()) > 0) return { created: null, demo: false };
  if (options.email && options.password) {
    const user = await accounts.addUser({ email: options.email, role: 'admin', password: options.password }).catch((err: Error) => {
      throw new BootstrapError(`ADMIN_EMAIL / ADMIN_PASSWORD: ${err.message}`);
    });
    return { created: user.email, demo: false };
  }
  if (options.demo) {
    const existing = await accounts.userByEmail(DEMO_ADMIN.email);
    if (existing) throw new BootstrapError(`the demo admin ${DEMO_ADMIN.email} exists but is disabled or demoted, and no other admin is active`);
    await accounts.addUser({ email: DEMO_ADMIN.email, role: 'admin', password: DEMO_ADMIN.password });
    return { created: DEMO_ADMIN.email, demo: true };
  }
  throw new BootstrapError('no admin exists: set ADMIN_EMAIL and ADMIN_PASSWORD (12 characters or more) for the first start, or add one with `npm run cli -- users add --role admin`');
}
