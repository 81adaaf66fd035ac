import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';

/**
 * `npm run simulate -- --replay FILE.csv` (issue 12 point 1) as a process, against the real service
 * (src/main.ts, embedded broker, DuckDB): a real building's year (LEAD1.0 building 118, hourly kWh,
 * test/fixtures/lead-gepiii) is published by its meter with its own credentials, and what the
 * service stores adds up to the file; a file with bad lines names each line and column.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILDING = fileURLToPath(new URL('../fixtures/lead-gepiii/building_118.csv', import.meta.url));
const SECRET = 'replay-test-secret';
let dir: TempDir;
let service: ServiceProcess;
let configPath: string;

interface Run {
  code: number;
  lines: Record<string, unknown>[];
  stderr: string;
}

async function simulate(args: readonly string[]): Promise<Run> {
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, ['--import', 'tsx', 'src/simulator/main.ts', ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, timeout: 300_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0, stdout, stderr }),
    ),
  );
  const lines = result.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code: result.code, lines, stderr: result.stderr };
}

const replayArgs = (file: string, extra: string[] = []) => ['--config', configPath, '--url', `mqtt://127.0.0.1:${service.mqttPort}`, '--replay', file, '--site', 'lead-118', '--device', 'tgbt', '--quantity', 'energy_kwh', '--values', 'interval', '--timestamp-column', 'timestamp_utc', '--value-column', 'kwh', ...extra];

beforeAll(async () => {
  dir = await createTempDir('sbe-replay-');
  configPath = join(dir.path, 'sites.yaml');
  // Building 118 of the fixtures (buildings.csv): an education building of 12,850 m² in the UK.
  // Zone UTC: the fixture's hours are GMT all year (its README), and the series' day buckets are
  // then the same days as the file's, summer included.
  const site = { id: 'lead-118', name: 'LEAD building 118', usage: 'education', floorAreaM2: 12850, timezone: 'UTC', country: 'GB', devices: [{ id: 'tgbt', kind: 'electricity-meter', quantities: ['energy_kwh'], secret: SECRET }] };
  await writeFile(configPath, stringify({ sites: [site] }));
  service = await startServiceProcess({ env: { DATA_DIR: join(dir.path, 'data'), CONFIG: configPath } });
}, 120_000);

afterAll(async () => {
  await service?.terminate();
  await dir?.remove();
});

describe('simulate --replay', () => {
  it('publishes a real year as the device, and the service stores what the file says, month by month', async () => {
    const run = await simulate(replayArgs(BUILDING));
    expect(run.code, run.stderr).toBe(0);
    const done = run.lines.find((l) => l.msg === 'replay done')!;
    // 8,784 hourly rows (2016 is a leap year), each an index reading (and the one the first interval starts from).
    expect(done).toMatchObject({ failed: 0, refusedLines: 0 });
    expect(done.published).toBeGreaterThanOrEqual(8784);
    expect(done.acked).toBe(done.published);
    const rows = readFileSync(BUILDING, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    // A row is the hour starting at its timestamp; the replay sends the index at the hour's end, and a
    // day bucket of the series holds the readings stamped within it: the hours ending in [from, to).
    const hourBefore = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) - 3_600_000).toISOString().replace('.000', '');
    const fileKWh = (from: string, to: string) => rows.filter((r) => r[1]! >= hourBefore(from) && r[1]! < hourBefore(to) && r[2] !== '').reduce((s, r) => s + Number(r[2]), 0);
    for (const [from, to] of [['2016-01-01', '2016-02-01'], ['2016-07-01', '2016-08-01'], ['2016-12-01', '2016-12-31']] as const) {
      const response = await service.fetch(`/api/sites/lead-118/series?device=tgbt&quantity=energy_kwh&from=${from}T00:00:00Z&to=${to}T00:00:00Z&every=1d`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { totalConsumption: number };
      expect(body.totalConsumption, `${from} to ${to}`).toBeCloseTo(fileKWh(from, to), 1);
    }
    const rejections = (await (await service.fetch('/api/ingest/rejections?limit=5')).json()) as { rejections?: unknown[] } | unknown[];
    expect(Array.isArray(rejections) ? rejections : (rejections.rejections ?? [])).toEqual([]);
  }, 300_000);

  it('refuses bad lines with their number and column, publishes the others, and exits with 2', async () => {
    const lines = readFileSync(BUILDING, 'utf8').split('\n').slice(0, 49);
    lines[4] = lines[4]!.replace(/,[\d.]+,([\d.-]+)$/, ',abc,$1');
    lines[9] = lines[9]!.replace(/,2016-01-01T08:00:00Z,/, ',2016-13-01T08:00:00Z,');
    const bad = join(dir.path, 'bad.csv');
    await writeFile(bad, `${lines.join('\n')}\n`);
    const run = await simulate(replayArgs(bad));
    expect(run.code).toBe(2);
    const refused = run.lines.filter((l) => l.msg === 'line refused');
    expect(refused.map((l) => l.line)).toEqual([5, 10]);
    expect(String(refused[0]!.reason)).toMatch(/column kwh: "abc" is not a number/);
    expect(String(refused[1]!.reason)).toMatch(/column timestamp_utc/);
    expect(run.lines.find((l) => l.msg === 'replay done')).toMatchObject({ failed: 0, refusedLines: 2 });
  }, 300_000);

  it('refuses a device the configuration does not have, naming the option, before connecting', async () => {
    const run = await simulate(['--config', configPath, '--url', 'mqtt://127.0.0.1:1', '--replay', BUILDING, '--site', 'lead-118', '--device', 'nope', '--quantity', 'energy_kwh']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--device: unknown device "nope" for site lead-118/);
  }, 120_000);
});
