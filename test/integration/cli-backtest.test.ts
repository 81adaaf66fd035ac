import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../helpers/cli-process.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';
import { buildings, leadConfig } from '../unit/energy/helpers/lead-fixtures.js';

// The backtest as the working group runs it: real building data (test/fixtures/lead-gepiii, CC BY-SA)
// imported by the CLI, then `npm run cli -- backtest` over part of the year, in real processes.
const FIXTURES = fileURLToPath(new URL('../fixtures/lead-gepiii/', import.meta.url));

let dir: TempDir;
let configPath: string;

const cli = (args: string[]) => runCli(args, { DATA_DIR: join(dir.path, 'data'), CONFIG: configPath }, 240_000);

beforeAll(async () => {
  dir = await createTempDir('sbe-cli-backtest-');
  configPath = join(dir.path, 'sites.yaml');
  await writeFile(configPath, stringify(leadConfig(buildings().filter((b) => b.id === '118'))));
  const imported = await cli(['import', '--site', 'b118', '--device', 'meter', '--quantity', 'energy_kwh', '--file', join(FIXTURES, 'building_118.csv')]);
  expect(imported.code, imported.stderr).toBe(0);
}, 240_000);

afterAll(async () => {
  await dir?.remove();
});

describe('npm run cli -- backtest', () => {
  it('prints one JSON line per alert with the documented fields, and a summary on stderr', async () => {
    const run = await cli(['backtest', '--site', 'b118', '--from', '2016-02-01', '--to', '2016-04-30']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(0);
    const from = Date.parse('2016-02-01T00:00:00Z');
    const to = Date.parse('2016-05-01T00:00:00Z');
    for (const a of lines) {
      expect(Object.keys(a).sort()).toEqual(['device', 'end', 'expected', 'measured', 'rule', 'severity', 'site', 'start']);
      expect(a.site).toBe('b118');
      const start = Date.parse(a.start as string);
      expect(start).toBeGreaterThanOrEqual(from - 86_400_000);
      expect(start).toBeLessThan(to);
      if (a.end !== null) expect(Date.parse(a.end as string)).toBeGreaterThan(start);
    }
    expect(run.stderr).toMatch(new RegExp(`backtest b118 2016-02-01\\.\\.2016-04-30: ${lines.length} alerts? `));
  });

  it('refuses an unknown site and a bad date with the option named, exit 1', async () => {
    const site = await cli(['backtest', '--site', 'nowhere', '--from', '2016-02-01', '--to', '2016-02-10']);
    expect(site.code).toBe(1);
    expect(site.stderr).toContain('--site: unknown site "nowhere"');
    const date = await cli(['backtest', '--site', 'b118', '--from', '2016-02-30', '--to', '2016-03-10']);
    expect(date.code).toBe(1);
    expect(date.stderr).toContain('--from: "2016-02-30" is not a date YYYY-MM-DD');
    const reversed = await cli(['backtest', '--site', 'b118', '--from', '2016-03-10', '--to', '2016-03-01']);
    expect(reversed.code).toBe(1);
    expect(reversed.stderr).toContain('--from (2016-03-10) is after --to (2016-03-01)');
    const badRules = join(dir.path, 'bad-rules.yaml');
    await writeFile(badRules, 'rules:\n  - id: x\n    type: thresold\n');
    const rules = await cli(['backtest', '--site', 'b118', '--from', '2016-02-01', '--to', '2016-02-10', '--rules', badRules]);
    expect(rules.code).toBe(1);
    expect(rules.stderr).toContain('rules[0].type: unknown rule type "thresold"');
  });
});
