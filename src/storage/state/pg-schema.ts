/**
 * Versioned migrations of the PostgreSQL state store (issue 9), the counterpart of sqlite-schema.ts.
 * Each runs once, in order, in one transaction with the insert of its number into
 * `schema_migrations`, under a transaction-level advisory lock so that two instances starting
 * together migrate once (PostgreSQL DDL is transactional: a kill during a migration leaves the
 * previous version). Never edit a shipped migration: add the next one.
 *
 * Times are epoch milliseconds in BIGINT, as in the embedded store, so both adapters map rows the
 * same way; the driver is told to parse int8 as a JS number (safe below 2^53, i.e. until year 287396).
 */
export const PG_MIGRATIONS: readonly string[] = [
  // 1: alerts, their history, rule evaluation state, silences and the e-mail outbox.
  `
  CREATE TABLE alerts (
    id BIGSERIAL PRIMARY KEY,
    site TEXT NOT NULL, device TEXT NOT NULL, rule TEXT NOT NULL,
    rule_type TEXT NOT NULL, quantity TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
    start_ms BIGINT NOT NULL, opened_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL, resolved_ms BIGINT,
    measured DOUBLE PRECISION, expected DOUBLE PRECISION, unit TEXT NOT NULL, summary TEXT NOT NULL,
    flap_count INTEGER NOT NULL DEFAULT 0,
    ack_by TEXT, ack_comment TEXT, ack_ms BIGINT
  );
  -- At most one alert per key is not resolved, enforced by PostgreSQL for every instance at once
  -- (ThingsBoard #5652: alarm creation "concurrent and not transactional" duplicated alarms).
  CREATE UNIQUE INDEX alerts_one_active_per_key ON alerts (site, device, rule) WHERE state <> 'resolved';
  CREATE INDEX alerts_by_key ON alerts (site, device, rule, resolved_ms);
  CREATE INDEX alerts_by_time ON alerts (start_ms);
  CREATE TABLE alert_events (
    id BIGSERIAL PRIMARY KEY,
    alert_id BIGINT NOT NULL REFERENCES alerts (id),
    at_ms BIGINT NOT NULL, kind TEXT NOT NULL, by TEXT, detail JSONB NOT NULL
  );
  CREATE INDEX alert_events_by_alert ON alert_events (alert_id, id);
  CREATE TABLE rule_state (
    site TEXT NOT NULL, device TEXT NOT NULL, rule TEXT NOT NULL,
    state JSONB NOT NULL, updated_ms BIGINT NOT NULL,
    PRIMARY KEY (site, device, rule)
  );
  CREATE TABLE silences (
    id BIGSERIAL PRIMARY KEY,
    site TEXT NOT NULL, device TEXT, from_ms BIGINT NOT NULL, to_ms BIGINT NOT NULL CHECK (to_ms > from_ms),
    reason TEXT NOT NULL, created_by TEXT, created_ms BIGINT NOT NULL
  );
  -- The unique Message-ID makes enqueuing idempotent across instances (ON CONFLICT DO NOTHING).
  CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL, alert_id BIGINT REFERENCES alerts (id),
    recipient TEXT NOT NULL, subject TEXT NOT NULL, text TEXT NOT NULL, html TEXT,
    created_ms BIGINT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms BIGINT NOT NULL,
    last_error TEXT, sent_ms BIGINT
  );
  CREATE INDEX outbox_due ON outbox (next_attempt_ms) WHERE sent_ms IS NULL;
  CREATE INDEX outbox_sent_by_recipient ON outbox (recipient, sent_ms) WHERE sent_ms IS NOT NULL;
  `,
  // 2: accounts (issue 11): users with their sites, server-side sessions, personal API tokens.
  // Secrets are hashes only. E-mails are stored lower-cased; the unique index on lower() is the
  // counterpart of SQLite's COLLATE NOCASE.
  `
  CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'working-group', 'site-manager')),
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL
  );
  CREATE UNIQUE INDEX users_email_unique ON users (lower(email));
  CREATE TABLE user_sites (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    site TEXT NOT NULL,
    PRIMARY KEY (user_id, site)
  );
  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_ms BIGINT NOT NULL, last_seen_ms BIGINT NOT NULL
  );
  CREATE INDEX sessions_by_user ON sessions (user_id);
  CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_ms BIGINT NOT NULL, last_used_ms BIGINT, revoked_ms BIGINT
  );
  CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
  `,
  // 3: the leader lease (src/cluster/leader-lease.ts). A takeover deletes the expired row and
  // inserts a new one whose token comes from the sequence, so tokens only grow: the token is the
  // fencing token that leader-only transactions check (Kleppmann, "How to do distributed locking",
  // 2016). Times are the database's clock, never an instance's.
  `
  CREATE SEQUENCE leader_lease_token;
  CREATE TABLE leader_lease (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    token BIGINT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
  );
  `,
  // 4: late-data marks (src/cluster/late-marks.ts). Any instance that stores a reading for a time
  // the rules may have judged already records the earliest such time per series; the leader takes
  // them at its next cycle and judges those windows again. `version` grows at every upsert, so
  // the leader deletes only the marks it has taken, never one moved earlier meanwhile.
  `
  CREATE TABLE late_readings (
    site TEXT NOT NULL, device TEXT NOT NULL, quantity TEXT NOT NULL,
    earliest_ms BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (site, device, quantity)
  );
  `,
];
