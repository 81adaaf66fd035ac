import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatZodIssues, interpolateEnv } from '../../../src/config/load.js';
import { configSchema } from '../../../src/config/schema.js';

/** The README's "Connecting real devices" YAML must be a configuration the service accepts. */
const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Connecting real devices'), readme.indexOf('## Storage'));
const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]!) as unknown).filter((b) => Array.isArray(b) || (typeof b === 'object' && b !== null && 'sites' in b));
const site = { id: 'atelier', name: 'Atelier', usage: 'industrial', floorAreaM2: 800 };
const env = new Proxy({}, { get: () => 'a-device-secret-from-env' }) as NodeJS.ProcessEnv;

describe('README: Connecting real devices', () => {
  it('has a YAML example for every profile but native', () => {
    const profiles = new Set(blocks.flatMap((b) => JSON.stringify(b).match(/"profile":"[a-z0-9-]+"/g) ?? []));
    expect([...profiles].sort()).toEqual(['"profile":"emon"', '"profile":"mapping"', '"profile":"shelly-gen2"', '"profile":"tasmota"', '"profile":"teleinfo"', '"profile":"zigbee2mqtt"', '"profile":"zlinky"']);
  });

  it.each(blocks.map((b, i) => [i, b] as const))('example %i is accepted by the configuration check', (_i, block) => {
    const input = Array.isArray(block) ? { sites: [{ ...site, devices: block }] } : { sites: (block as { sites: object[] }).sites.map((s) => ({ ...site, ...s })) };
    const problems: string[] = [];
    const parsed = configSchema.safeParse(interpolateEnv(input, env, [], problems));
    expect(problems).toEqual([]);
    expect(parsed.success ? [] : formatZodIssues(parsed.error.issues)).toEqual([]);
  });
});
