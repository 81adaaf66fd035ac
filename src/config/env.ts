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
  /** Loopback by default (issue 11): exposing the API is a decision. The Docker image sets 0.0.0.0 behind its published port. */
  HTTP_HOST: z.string().default('127.0.0.1'),
  /** Behind a reverse proxy that terminates TLS: trust its X-Forwarded-* headers (client IP, Secure cookie). */
  TRUST_PROXY: z.enum(['0', '1']).transform((v) => v === '1').default(false),
  /** First-start admin, when no admin exists yet (read once; remove it afterwards). */
  ADMIN_EMAIL: z.string().optional(),
  ADMIN_PASSWORD: z.string().optional(),
  /** The demo: creates a demo login instead of refusing to start without an admin. */
  DEMO: z.enum(['0', '1']).transform((v) => v === '1').default(false),
  SESSION_IDLE_MINUTES: z.coerce.number().positive().max(24 * 60).default(30),
  SESSION_MAX_HOURS: z.coerce.number().positive().max(24 * 30).default(10),
  MQTT_PORT: port.default(1883),
  MQTT_HOST: z.string().default('0.0.0.0'),
  /** Embedded broker over TLS: PEM certificate chain and private key files, both or neither. */
  MQTT_TLS_CERT: z.string().optional(),
  MQTT_TLS_KEY: z.string().optional(),
  /** 8883 is IANA's "secure-mqtt" port. */
  MQTT_TLS_PORT: port.default(8883),
  /** Embedded broker: open connections (plain and TLS together) beyond which new ones are closed. */
  MQTT_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** Embedded broker: largest MQTT packet (Remaining Length) accepted; a bigger one closes the connection before it is buffered. */
  MQTT_MAX_PACKET_BYTES: z.coerce.number().int().min(1024).max(256 * 1024 * 1024).default(128 * 1024),
  /**
   * Where the live streams' sockets are written (issue 13, point 6): `process` (default) hands each
   * authorised stream to a fan-out process of its own, so that hundreds of open pages do not cost
   * the ingest process one socket write each per batch; `inline` serves them in the HTTP process.
   */
  LIVE_FANOUT: z.enum(['process', 'inline']).default('process'),
  /** Readings stored within this window go to the live pages as one batch, ms (src/live/site-live-hub.ts). */
  LIVE_BATCH_MS: z.coerce.number().int().min(10).max(1000).default(100),
  /** External broker; when unset the embedded aedes broker serves. */
  MQTT_URL: url(['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:']).optional(),
  MQTT_CLIENT_ID: z.string().default('smart-building-energy'),
  /**
   * Several instances on one external broker (issue 9): each subscribes to
   * `$share/<group>/sites/+/devices/#` (MQTT 5 §4.8.2), so the broker hands each message to one of
   * them. A share name must not contain '/', '+' or '#' [MQTT-4.8.2-2]. Each instance still needs
   * its own MQTT_CLIENT_ID and DATA_DIR.
   */
  MQTT_SHARE_GROUP: z.string().regex(/^[^/+#\s]+$/, "no '/', '+', '#' or spaces (MQTT 5 §4.8.2)").optional(),
  /** External broker: 5 (default, falling back to 3.1.1 when the broker refuses it) or 4 to speak MQTT 3.1.1 from the start. */
  MQTT_PROTOCOL_VERSION: z.enum(['4', '5']).transform((v) => Number(v) as 4 | 5).optional(),
  // Credentials in the URL would reach the health answer and logs: INFLUX_USERNAME / INFLUX_PASSWORD instead.
  INFLUX_URL: url(['http:', 'https:'])
    .refine((v) => { try { const u = new URL(v); return u.username === '' && u.password === ''; } catch { return true; } }, { message: 'must not contain user:password@ (set INFLUX_USERNAME and INFLUX_PASSWORD)' })
    .optional(),
  INFLUX_DB: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('energy'),
  INFLUX_USERNAME: z.string().optional(),
  INFLUX_PASSWORD: z.string().optional(),
  INFLUX_TOKEN: z.string().optional(),
  INFLUX_RETENTION: z.string().regex(/^(INF|\d+[hdw])$/, 'INF or a duration such as 720d').default('INF'),
  /**
   * State store on PostgreSQL (alerts, rule state, outbox, accounts), for several instances; when
   * unset, the embedded SQLite file in DATA_DIR. Never logged: it may carry a password.
   */
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  /** This instance among several (the leader lease's holder); default hostname-pid. */
  INSTANCE_ID: z.string().regex(/^[A-Za-z0-9._-]{1,60}$/, 'letters, digits, ., _ and - only, at most 60').optional(),
  /**
   * How long the leader's lease lasts without renewal, renewed every third of it: a leader that
   * dies is replaced within about ttl + ttl/3. Shorter means a faster takeover and more writes to
   * PostgreSQL; at least 3 s, since a renewal must outlast a slow round trip.
   */
  LEADER_LEASE_TTL_S: z.coerce.number().int().min(3).max(300).default(15),
  SPOOL_MAX_MB: z.coerce.number().positive().default(512),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** A YAML file of anomaly rules (`rules:`); without it, the site configuration's `rules:`, else the shipped defaults. */
  RULES_FILE: z.string().optional(),
  /** Alert e-mail transport, e.g. smtp://user:pass@mail.example.org:587 (smtps: for implicit TLS). */
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  ALERT_EMAIL_FROM: z.string().default('smart-building-energy@localhost'),
  /** Where the dashboard is reached from a mail client: the base of the links in alert e-mails. */
  PUBLIC_URL: url(['http:', 'https:']).default('http://localhost:8080'),
}).superRefine((env, ctx) => {
  if ((env.MQTT_TLS_CERT === undefined) !== (env.MQTT_TLS_KEY === undefined)) {
    const missing = env.MQTT_TLS_CERT === undefined ? 'MQTT_TLS_CERT' : 'MQTT_TLS_KEY';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'MQTT_TLS_CERT and MQTT_TLS_KEY go together: set both for the TLS listener, or neither' });
  }
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
