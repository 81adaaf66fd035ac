import { resolve } from 'node:path';
import { z } from 'zod';
import { formatZodIssues } from '../config/load.js';

/**
 * What `npm run demo` reads from the environment, besides the service's own settings
 * (HTTP_PORT, MQTT_PORT… are passed through as `npm start` reads them).
 */
const demoSchema = z.object({
  /** Everything the demo keeps between runs: the database, the state store, caught mails. */
  DEMO_DATA_DIR: z.string().default('./demo-data'),
  /** Days of simulated history published on the first start (tests shorten it). */
  DEMO_BACKFILL_DAYS: z.coerce.number().min(0).max(3660).default(365),
  DEMO_SEED: z.coerce.number().int().min(0).default(1),
  /** The bootstrap admin of the accounts feature; the demo prints the login it starts with. */
  ADMIN_EMAIL: z.string().default('demo@example.org'),
  ADMIN_PASSWORD: z.string().default('demo-energie-2026'),
  /** The address every alert of the demo is mailed to (caught, never delivered). */
  DEMO_RECIPIENT: z.string().default('responsable@demo.invalid'),
});

export type DemoSettings = z.infer<typeof demoSchema> & { dataDir: string };

export function parseDemoSettings(env: NodeJS.ProcessEnv): DemoSettings {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = demoSchema.safeParse(present);
  if (!parsed.success) throw new Error(`invalid environment:\n${formatZodIssues(parsed.error.issues).map((p) => `  - ${p}`).join('\n')}`);
  return { ...parsed.data, dataDir: resolve(parsed.data.DEMO_DATA_DIR) };
}

/**
 * The service's environment for the demo: the caller's (ports, log level, admin login) with the
 * demo's data directory, the shipped example configuration and the catcher as SMTP relay. The
 * configuration is loaded by the demo itself, so CONFIG is never read from config/sites.yaml.
 */
export function demoServiceEnv(env: NodeJS.ProcessEnv, demo: DemoSettings, smtpUrl: string, configPath: string): NodeJS.ProcessEnv {
  return {
    ...env,
    DATA_DIR: demo.dataDir,
    CONFIG: configPath,
    SMTP_URL: smtpUrl,
    ADMIN_EMAIL: demo.ADMIN_EMAIL,
    ADMIN_PASSWORD: demo.ADMIN_PASSWORD,
    // The demo's own rules are the shipped defaults: a RULES_FILE of the shell must not change them.
    RULES_FILE: '',
    INFLUX_URL: '',
    MQTT_URL: '',
    // Links in the demo's e-mails point at the demo itself, on whatever port it serves.
    PUBLIC_URL: env.PUBLIC_URL || `http://localhost:${env.HTTP_PORT || 8080}`,
  };
}
