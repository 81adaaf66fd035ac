/**
 * Versioned migrations of the embedded state store. Each runs once, in order, in one transaction
 * with the bump of `user_version` (SQLite's own schema counter), so a kill -9 during a migration
 * leaves the previous version intact. Never edit a shipped migration: add the next one.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  // 1: alerts, their history, rule evaluation state, silences and the e-mail outbox.
  `
  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL, device TEXT NOT NULL, rule TEXT NOT NULL,
    rule_type TEXT NOT NULL, quantity TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
    start_ms INTEGER NOT NULL, opened_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, resolved_ms INTEGER,
    measured REAL, expected REAL, unit TEXT NOT NULL, summary TEXT NOT NULL,
    flap_count INTEGER NOT NULL DEFAULT 0,
    ack_by TEXT, ack_comment TEXT, ack_ms INTEGER
  );
  -- At most one alert per key is not resolved: the store enforces it, not code alone
  -- (ThingsBoard #5652: alarm creation "concurrent and not transactional" duplicated alarms).
  CREATE UNIQUE INDEX alerts_one_active_per_key ON alerts (site, device, rule) WHERE state <> 'resolved';
  CREATE INDEX alerts_by_key ON alerts (site, device, rule, resolved_ms);
  CREATE INDEX alerts_by_time ON alerts (start_ms);
  CREATE TABLE alert_events (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts (id),
    at_ms INTEGER NOT NULL, kind TEXT NOT NULL, by TEXT, detail TEXT NOT NULL
  );
  CREATE INDEX alert_events_by_alert ON alert_events (alert_id, id);
  CREATE TABLE rule_state (
    site TEXT NOT NULL, device TEXT NOT NULL, rule TEXT NOT NULL,
    state TEXT NOT NULL, updated_ms INTEGER NOT NULL,
    PRIMARY KEY (site, device, rule)
  );
  CREATE TABLE silences (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL, device TEXT, from_ms INTEGER NOT NULL, to_ms INTEGER NOT NULL CHECK (to_ms > from_ms),
    reason TEXT NOT NULL, created_by TEXT, created_ms INTEGER NOT NULL
  );
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL, alert_id INTEGER REFERENCES alerts (id),
    recipient TEXT NOT NULL, subject TEXT NOT NULL, text TEXT NOT NULL, html TEXT,
    created_ms INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL,
    last_error TEXT, sent_ms INTEGER
  );
  CREATE INDEX outbox_due ON outbox (next_attempt_ms) WHERE sent_ms IS NULL;
  CREATE INDEX outbox_sent_by_recipient ON outbox (recipient, sent_ms) WHERE sent_ms IS NOT NULL;
  `,
  // 2: accounts (issue 11): users with their sites, server-side sessions, personal API tokens.
  // Secrets are hashes only (OWASP Password Storage / Session Management cheat sheets).
  `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'working-group', 'site-manager')),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL
  );
  CREATE TABLE user_sites (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    site TEXT NOT NULL,
    PRIMARY KEY (user_id, site)
  );
  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL
  );
  CREATE INDEX sessions_by_user ON sessions (user_id);
  CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_ms INTEGER NOT NULL, last_used_ms INTEGER, revoked_ms INTEGER
  );
  CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
  `,
];
