import { z } from 'zod';
import { formatZodIssues } from './load.js';

const port = z.coerce.number().int().min(0).max(65535);
const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

/** Process settings that vary per deployment (12-factor), validated once at start-up. */
export const envSchema = z.object({
  CONFIG: z.string().optional(),
  DATA_DIR: z.string().default('./data'),
  HTTP_PORT: port.default(8080),
  HTTP_HOST: z.string().default('0.0.0.0'),
  MQTT_PORT: port.default(1883),
  MQTT_HOST: z.string().default('0.0.0.0'),
  /** External broker; when unset the embedded aedes broker serves. */
  MQTT_URL: url(['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:']).optional(),
  MQTT_CLIENT_ID: z.string().default('smart-building-energy'),
  /** External broker: 5 (default, falling back to 3.1.1 when the broker refuses it) or 4 to speak MQTT 3.1.1 from the start. */
  MQTT_PROTOCOL_VERSION: z.enum(['4', '5']).transform((v) => Number(v) as 4 | 5).optional(),
  INFLUX_URL: url(['http:', 'https:']).optional(),
  INFLUX_DB: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('energy'),
  INFLUX_USERNAME: z.string().optional(),
  INFLUX_PASSWORD: z.string().optional(),
  INFLUX_TOKEN: z.string().optional(),
  INFLUX_RETENTION: z.string().regex(/^(INF|\d+[hdw])$/, 'INF or a duration such as 720d').default('INF'),
  SPOOL_MAX_MB: z.coerce.number().positive().default(512),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** A YAML file of anomaly rules (`rules:`); without it, the site configuration's `rules:`, else the shipped defaults. */
  RULES_FILE: z.string().optional(),
  /** Alert e-mail transport, e.g. smtp://user:pass@mail.example.org:587 (smtps: for implicit TLS). */
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  ALERT_EMAIL_FROM: z.string().default('smart-building-energy@localhost'),
  /** Where the dashboard is reached from a mail client: the base of the links in alert e-mails. */
  PUBLIC_URL: url(['http:', 'https:']).default('http://localhost:8080'),
});

export type EnvSettings = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

export function parseEnv(env: NodeJS.ProcessEnv): EnvSettings {
  // An empty variable means "not set": docker-compose writes `FOO=` for blanks.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) throw new EnvError(formatZodIssues(parsed.error.issues));
  return parsed.data;
}
