import { describe, expect, it } from 'vitest';
import { StoreRejectedError, StoreUnavailableError } from '../../../../src/storage/errors.js';
import { InfluxSchemaMissingError, influxErrorMessage, networkFailure, writeFailure } from '../../../../src/storage/influx/write-errors.js';

// Bodies as influxd 1.6.7 sends them (captured against the real server).
const body = (error: string) => JSON.stringify({ error });

describe('writeFailure', () => {
  it.each([500, 502, 503, 504, 401, 403])('HTTP %i: the store is unavailable', (status) => {
    const err = writeFailure(status, body('authorization failed'), 10);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(err.message).toContain(`HTTP ${status}: authorization failed`);
  });

  it('a missing database or retention policy is unavailable (the schema is created again), not a rejection of the readings', () => {
    expect(writeFailure(404, body('database not found: "energy"'), 3)).toBeInstanceOf(InfluxSchemaMissingError);
    expect(writeFailure(500, body('retention policy not found: sbe_readings'), 3)).toBeInstanceOf(InfluxSchemaMissingError);
    expect(writeFailure(500, body('timeout'), 3)).not.toBeInstanceOf(InfluxSchemaMissingError);
    expect(new InfluxSchemaMissingError('x')).toBeInstanceOf(StoreUnavailableError);
  });

  it('partial write beyond retention: rejects exactly the dropped count', () => {
    const err = writeFailure(400, body('partial write: points beyond retention policy dropped=2'), 4);
    expect(err).toBeInstanceOf(StoreRejectedError);
    expect((err as StoreRejectedError).rejectedCount).toBe(2);
    expect(err.message).toContain('points beyond retention policy');
  });

  it('partial write of unparsable lines (dropped=0): counts the lines named', () => {
    const message = "partial write: unable to parse 'a b': invalid field format\nunable to parse 'c': missing fields dropped=0";
    expect((writeFailure(400, body(message), 5) as StoreRejectedError).rejectedCount).toBe(2);
  });

  it.each([
    [400, 'field type conflict'],
    [400, "unable to parse 'x': missing fields"],
    [413, 'Request Entity Too Large'],
    [404, 'page not found'],
  ])('HTTP %i %s: the whole batch is rejected', (status, message) => {
    const err = writeFailure(status, body(message), 7);
    expect(err).toBeInstanceOf(StoreRejectedError);
    expect((err as StoreRejectedError).rejectedCount).toBe(7);
  });
});

describe('influxErrorMessage', () => {
  it('reads the JSON error, or falls back to trimmed text', () => {
    expect(influxErrorMessage('{"error":"field type conflict"}')).toBe('field type conflict');
    expect(influxErrorMessage('<html>502 Bad Gateway</html>\n')).toBe('<html>502 Bad Gateway</html>');
    expect(influxErrorMessage('{"results":[]}')).toBe('{"results":[]}');
    expect(influxErrorMessage('')).toBe('(empty body)');
  });
});

describe('networkFailure', () => {
  it('names a timeout with its bound, and keeps a refused connection cause', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(networkFailure('write', timeout, 1500).message).toBe('InfluxDB write timed out after 1500 ms');
    const refused = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:8086') });
    const err = networkFailure('query', refused, 1500);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(err.message).toBe('InfluxDB query failed: fetch failed: connect ECONNREFUSED 127.0.0.1:8086');
  });
});
