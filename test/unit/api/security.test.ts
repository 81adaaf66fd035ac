import { describe, expect, it } from 'vitest';
import { FakeStore } from './fake-store.js';
import { exampleConfig, harness, secretsOf } from './helpers.js';

/** Strings that would hurt if they reached SQL, InfluxQL, a regex or a file path. */
const ATTACKS = [
  "'",
  '"',
  "tgbt'; DROP TABLE readings; --",
  '" OR 1=1 --',
  "power_w' OR '1'='1",
  'power_w" WHERE time > 0 --',
  'tgbt\u0000',
  'ｔｇｂｔ',
  'tgbt🔥',
  'Tgbt',
  '/.*/',
  'tgbt\nDROP',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '$(rm -rf /)',
  '${jndi:ldap://x}',
  'a'.repeat(10_000),
];

const q = encodeURIComponent;
const valid = { device: 'tgbt', quantity: 'power_w', from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z', every: '1h' };

function seriesUrl(overrides: Partial<typeof valid>): string {
  const params = { ...valid, ...overrides };
  return `/api/sites/cleon-bureaux/series?${Object.entries(params).map(([k, v]) => `${k}=${q(v)}`).join('&')}`;
}

describe('injection attempts never reach the store', () => {
  const urls: Array<[string, string]> = [];
  for (const attack of ATTACKS) {
    const label = JSON.stringify(attack.slice(0, 30));
    for (const field of ['device', 'quantity', 'from', 'to', 'every'] as const) urls.push([`${field}=${label}`, seriesUrl({ [field]: attack })]);
    for (const route of ['', '/latest', '/series?device=tgbt&quantity=power_w', '/live']) urls.push([`site${route}=${label}`, `/api/sites/${q(attack)}${route}`]);
    urls.push([`limit=${label}`, `/api/ingest/rejections?limit=${q(attack)}`]);
    urls.push([`unknown key ${label}`, `/api/sites/cleon-bureaux/series?device=tgbt&quantity=power_w&${q(attack)}=1`]);
  }

  it(`refuses ${urls.length} hostile requests with 400, 404 or 414, never calling the store`, async () => {
    const h = await harness();
    const problems: string[] = [];
    for (const [label, url] of urls) {
      const res = await h.app.inject({ method: 'GET', url });
      // 414: a path parameter longer than maxParamLength is refused by the router itself.
      if (![400, 404, 414].includes(res.statusCode)) problems.push(`${label}: HTTP ${res.statusCode}`);
      if (!res.headers['content-type']?.toString().startsWith('application/json')) problems.push(`${label}: not JSON`);
      if (/at .*\.ts:\d+|node_modules/.test(res.body)) problems.push(`${label}: stack trace in body`);
    }
    expect(problems).toEqual([]);
    expect(h.store.calls).toEqual([]);
    expect(h.rejectionLimits).toEqual([]);
  });

  it('passes only configuration-owned strings to the store on a valid request', async () => {
    const h = await harness();
    const res = await h.app.inject({ url: seriesUrl({}) });
    expect(res.statusCode).toBe(200);
    const call = h.store.calls.find((c) => c.method === 'buckets');
    expect(call?.args).toMatchObject({ site: 'cleon-bureaux', device: 'tgbt', quantity: 'power_w' });
  });
});

describe('secrets never leave the service', () => {
  it('appear in no response of any route, the OpenAPI document included', async () => {
    const config = exampleConfig();
    const secrets = secretsOf(config);
    expect(secrets).toContain('demo-cleon-tgbt');
    expect(secrets.length).toBe(15);
    // One device authenticated by hash instead, to check secretHash is dropped too.
    const meteo = config.sites[0]?.devices[3];
    if (!meteo) throw new Error('example config changed');
    delete meteo.secret;
    meteo.secretHash = 'scrypt$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNo';
    secrets.push(meteo.secretHash, 'c2FsdHNhbHQ=', 'aGFzaGhhc2hoYXNo');
    const store = new FakeStore().add({ site: 'cleon-bureaux', device: 'tgbt', quantity: 'energy_kwh', tsMs: Date.parse('2026-11-02T10:00:00Z'), value: 12 });
    const h = await harness({ config }, store);
    const urls = [
      '/api/health',
      '/api/sites',
      '/docs/json',
      '/metrics',
      '/api/ingest/rejections',
      ...config.sites.flatMap((s) => [
        `/api/sites/${s.id}`,
        `/api/sites/${s.id}/latest`,
        ...s.devices.flatMap((d) => d.quantities.map((qn) => `/api/sites/${s.id}/series?device=${d.id}&quantity=${qn}`)),
      ]),
    ];
    const bodies = await Promise.all(urls.map(async (url) => ({ url, res: await h.app.inject({ url }) })));
    for (const { url, res } of bodies) expect(res.statusCode, url).toBe(200);
    const all = bodies.map((b) => b.res.body).join('\n');
    expect(all.length).toBeGreaterThan(10_000);
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/secret/i);
  });
});
