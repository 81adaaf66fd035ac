import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreRejectedError } from '../../../../src/storage/errors.js';
import { InfluxHttp, InfluxQueryError } from '../../../../src/storage/influx/influx-http.js';

/**
 * What goes on the wire: credentials in headers (never in the URL), ms precision, GET for
 * reads and POST for changes. A bare node:http server records requests and answers as
 * InfluxDB 1.x does; the adapter's behaviour against the real influxd is in the integration test.
 */
interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];
let reply: { status: number; body: string } = { status: 204, body: '' };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const last = () => seen[seen.length - 1]!;

describe('InfluxHttp', () => {
  it('sends username and password as Basic auth, not as u/p parameters', async () => {
    reply = { status: 204, body: '' };
    await new InfluxHttp({ url: base, username: 'sbe', password: 'p:w\'"', requestTimeoutMs: 1_000 }).write('energy', undefined, ['a v=1 1']);
    expect(last().headers.authorization).toBe(`Basic ${Buffer.from('sbe:p:w\'"').toString('base64')}`);
    expect(last().url).toBe('/write?db=energy&precision=ms');
    expect(last().url).not.toMatch(/[?&][up]=/);
    expect(last().body).toBe('a v=1 1');
  });

  it('sends a token as "Authorization: Token", and the rp parameter when given', async () => {
    reply = { status: 204, body: '' };
    await new InfluxHttp({ url: base, token: 'secret-token', username: 'ignored', requestTimeoutMs: 1_000 }).write('energy', 'sbe_readings', ['a v=1 1', 'a v=2 2']);
    expect(last().headers.authorization).toBe('Token secret-token');
    expect(last().url).toBe('/write?db=energy&precision=ms&rp=sbe_readings');
    expect(last().body).toBe('a v=1 1\na v=2 2');
  });

  it('sends no Authorization header without credentials', async () => {
    reply = { status: 204, body: '' };
    await new InfluxHttp({ url: base, requestTimeoutMs: 1_000 }).ping();
    expect(last().headers.authorization).toBeUndefined();
  });

  it('reads by GET with epoch=ms and changes by POST form', async () => {
    const http = new InfluxHttp({ url: base, requestTimeoutMs: 1_000 });
    reply = { status: 200, body: '{"results":[{"statement_id":0}]}' };
    await http.query(`SELECT "value" FROM "readings" WHERE "site" = 'a\\'b'`, 'energy');
    expect(last().method).toBe('GET');
    expect(new URL(last().url, base).searchParams.get('q')).toBe(`SELECT "value" FROM "readings" WHERE "site" = 'a\\'b'`);
    expect(new URL(last().url, base).searchParams.get('epoch')).toBe('ms');
    await http.query('CREATE DATABASE "energy"');
    expect(last().method).toBe('POST');
    expect(new URLSearchParams(last().body).get('q')).toBe('CREATE DATABASE "energy"');
  });

  it('turns statement errors and truncated results into InfluxQueryError', async () => {
    const http = new InfluxHttp({ url: base, requestTimeoutMs: 1_000 });
    reply = { status: 200, body: '{"results":[{"statement_id":0,"error":"database not found: energy"}]}' };
    await expect(http.query('SELECT 1', 'energy')).rejects.toThrow(InfluxQueryError);
    reply = { status: 200, body: '{"results":[{"statement_id":0,"partial":true,"series":[]}]}' };
    await expect(http.query('SELECT 1', 'energy')).rejects.toThrow(/truncated/);
    reply = { status: 400, body: '{"error":"error parsing query: found x"}' };
    await expect(http.query('SELECT 1', 'energy')).rejects.toThrow(/error parsing query/);
  });

  it('maps a write refused by the server to StoreRejectedError with its count', async () => {
    reply = { status: 400, body: '{"error":"partial write: points beyond retention policy dropped=1"}' };
    const err = await new InfluxHttp({ url: base, requestTimeoutMs: 1_000 }).write('energy', undefined, ['a', 'b', 'c']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreRejectedError);
    expect((err as StoreRejectedError).rejectedCount).toBe(1);
  });
});
