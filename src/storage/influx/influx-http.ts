import { StoreUnavailableError } from '../errors.js';
import { influxErrorMessage, networkFailure, writeFailure } from './write-errors.js';

export interface InfluxHttpOptions {
  url: string;
  username?: string;
  password?: string;
  /** Sent as `Authorization: Token …` (InfluxDB 1.8+ and the 2.x/3.x v1-compatibility endpoints). */
  token?: string;
  requestTimeoutMs: number;
}

export interface InfluxSeries {
  name?: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export interface InfluxStatementResult {
  statement_id: number;
  series?: InfluxSeries[];
  error?: string;
  /** Set when the server's max-row-limit truncated the result. */
  partial?: boolean;
}

/** A query InfluxDB refused (syntax, unknown database, truncated result): a bug or a misconfiguration. */
export class InfluxQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InfluxQueryError';
  }
}

/**
 * The InfluxDB 1.x HTTP API (/ping, /write, /query) over Node's global fetch, whose
 * undici agent keeps connections alive. Credentials go in a header, never in the URL
 * (URLs end up in proxy and access logs).
 */
export class InfluxHttp {
  constructor(private readonly options: InfluxHttpOptions) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const { token, username, password } = this.options;
    if (token) return { ...extra, authorization: `Token ${token}` };
    if (username !== undefined) {
      return { ...extra, authorization: `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` };
    }
    return extra;
  }

  private async send(what: string, path: string, init: RequestInit): Promise<{ status: number; body: string }> {
    const timeoutMs = this.options.requestTimeoutMs;
    try {
      // The timeout bounds the whole exchange, body included.
      const signal = AbortSignal.timeout(timeoutMs);
      const res = await fetch(new URL(path, this.options.url), { ...init, signal });
      return { status: res.status, body: await res.text() };
    } catch (err) {
      throw networkFailure(what, err, timeoutMs);
    }
  }

  /** Resolves when `/ping` answers 204 (InfluxDB 1.x readiness). */
  async ping(): Promise<void> {
    const { status, body } = await this.send('ping', '/ping', { headers: this.headers() });
    if (status !== 204) throw new StoreUnavailableError(`InfluxDB /ping answered HTTP ${status}: ${influxErrorMessage(body)}`);
  }

  /** POST /write with ms precision; throws StoreUnavailableError or StoreRejectedError. */
  async write(database: string, retentionPolicy: string | undefined, lines: readonly string[]): Promise<void> {
    const params = new URLSearchParams({ db: database, precision: 'ms' });
    if (retentionPolicy) params.set('rp', retentionPolicy);
    const { status, body } = await this.send('write', `/write?${params}`, {
      method: 'POST',
      headers: this.headers({ 'content-type': 'text/plain; charset=utf-8' }),
      body: lines.join('\n'),
    });
    if (status < 200 || status > 299) throw writeFailure(status, body, lines.length);
  }

  /**
   * One InfluxQL statement; times come back as epoch ms. SELECT and SHOW go by GET, anything
   * that changes the server by POST (InfluxDB 1.x API reference, /query).
   */
  async query(q: string, database?: string): Promise<InfluxStatementResult> {
    const params = new URLSearchParams({ epoch: 'ms' });
    if (database) params.set('db', database);
    const readOnly = /^\s*(SELECT|SHOW)\b/i.test(q);
    if (readOnly) params.set('q', q);
    const { status, body } = await this.send(
      'query',
      `/query?${params}`,
      readOnly
        ? { headers: this.headers() }
        : { method: 'POST', headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded' }), body: new URLSearchParams({ q }) },
    );
    if (status >= 500 || status === 401 || status === 403) {
      throw new StoreUnavailableError(`InfluxDB query failed: HTTP ${status}: ${influxErrorMessage(body)}`);
    }
    if (status !== 200) throw new InfluxQueryError(`InfluxDB query failed: HTTP ${status}: ${influxErrorMessage(body)}`);
    const result = (JSON.parse(body) as { results?: InfluxStatementResult[] }).results?.[0];
    if (!result) throw new InfluxQueryError('InfluxDB query answered without a result');
    return checked(result);
  }

  /**
   * Several SELECT statements in one POST /query (`;`-separated: InfluxDB 1.x API reference,
   * "Multiple queries"), their results in the order given. One round trip instead of one per
   * statement; InfluxDB runs them one after another, so a caller wanting both of its cores busy
   * sends a few such calls at once. POST because a batch outgrows a URL.
   */
  async selects(statements: readonly string[], database?: string): Promise<InfluxStatementResult[]> {
    if (statements.length === 0) return [];
    if (statements.some((q) => !/^\s*SELECT\b/i.test(q))) throw new InfluxQueryError('a batch of statements holds SELECT statements only');
    const params = new URLSearchParams({ epoch: 'ms' });
    if (database) params.set('db', database);
    const { status, body } = await this.send('query', `/query?${params}`, {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
      body: new URLSearchParams({ q: statements.join(';\n') }),
    });
    if (status >= 500 || status === 401 || status === 403) {
      throw new StoreUnavailableError(`InfluxDB query failed: HTTP ${status}: ${influxErrorMessage(body)}`);
    }
    if (status !== 200) throw new InfluxQueryError(`InfluxDB query failed: HTTP ${status}: ${influxErrorMessage(body)}`);
    const results = (JSON.parse(body) as { results?: InfluxStatementResult[] }).results ?? [];
    // Matched by statement_id, not position: a result is never given to another statement.
    const byId = new Map(results.map((r) => [r.statement_id, r]));
    return statements.map((_, i) => {
      const r = byId.get(i);
      if (!r) throw new InfluxQueryError(`InfluxDB answered a batch of ${statements.length} statements without the result of statement ${i}`);
      return checked(r);
    });
  }
}

function checked(result: InfluxStatementResult): InfluxStatementResult {
  if (result.error) throw new InfluxQueryError(`InfluxDB query failed: ${result.error}`);
  if (result.partial) throw new InfluxQueryError('InfluxDB truncated the result (server max-row-limit); query a shorter range');
  return result;
}

/** The rows of a series as objects keyed by column name. */
export function seriesRows(series: InfluxSeries): Record<string, unknown>[] {
  return series.values.map((values) => Object.fromEntries(series.columns.map((column, i) => [column, values[i]])));
}
