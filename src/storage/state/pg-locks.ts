/**
 * Keys of the advisory locks the PostgreSQL state store takes (two-key form,
 * pg_advisory_xact_lock(int, int)): an arbitrary namespace, 'sbe' in ASCII, then one key per use.
 * All are transaction-level, released at COMMIT or ROLLBACK.
 */
export const LOCK_NAMESPACE = 0x736265;
export const MIGRATION_LOCK = 1;
export const STATE_WRITE_LOCK = 2;
