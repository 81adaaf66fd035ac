import type pg from 'pg';

/**
 * Runs `work` on one client checked out of `pool`. pg-pool listens for errors only on idle
 * clients: a checked-out client whose server goes away (PostgreSQL restarting, a partition) emits
 * an 'error' event with no listener, which would crash the process. The listener here keeps it
 * to the failing query, and a client that failed is destroyed rather than returned to the pool.
 */
export async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failed: Error | undefined;
  const onError = (err: Error) => {
    failed = err;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } finally {
    client.off('error', onError);
    client.release(failed);
  }
}

/** `work` in BEGIN … COMMIT on one client; ROLLBACK when it throws. */
export function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}
