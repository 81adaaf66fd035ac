import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfigText, resolveConfigPath } from '../../../src/config/load.js';
import { parseEnv, EnvError } from '../../../src/config/env.js';

const minimalSite = (extra = '') => `
sites:
  - id: cleon-bureaux
    name: "Bureaux – Cléon"
    usage: office
    floorAreaM2: 1850
${extra}
    devices:
      - id: tgbt
        kind: electricity-meter
        quantities: [energy_kwh, power_w]
        secret: \${TGBT_SECRET}
`;

function problemsOf(text: string, env: NodeJS.ProcessEnv = { TGBT_SECRET: 'a-long-secret' }): string[] {
  try {
    parseConfigText(text, 'test.yaml', env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration loading', () => {
  it('loads the shipped example with its four pilot sites and demo secrets', () => {
    const config = loadConfigFile('config/sites.example.yaml', {});
    expect(config.sites.map((s) => s.id)).toEqual(['cleon-bureaux', 'elbeuf-atelier', 'rouen-formation', 'sotteville-logistique']);
    expect(config.sites[0]!.devices[0]!.secret).toBe('demo-cleon-tgbt');
    expect(config.sites.every((s) => s.timezone === 'Europe/Paris')).toBe(true);
  });

  it('takes secrets from the environment when set', () => {
    const config = loadConfigFile('config/sites.example.yaml', { CLEON_TGBT_SECRET: 'from-the-environment' });
    expect(config.sites[0]!.devices[0]!.secret).toBe('from-the-environment');
  });

  it('defaults the time zone to Europe/Paris and the country to FR', () => {
    const config = parseConfigText(minimalSite(), 'x.yaml', { TGBT_SECRET: 'a-long-secret' });
    expect(config.sites[0]!.timezone).toBe('Europe/Paris');
    expect(config.sites[0]!.country).toBe('FR');
    expect(config.degreeDays.baseC).toBe(18);
  });

  it('names the path of an unknown quantity', () => {
    const problems = problemsOf(minimalSite().replace('[energy_kwh, power_w]', '[energy_kwh, powr_w]'));
    expect(problems).toContainEqual(expect.stringMatching(/^sites\[0\]\.devices\[0\]\.quantities\[1\]: unknown quantity "powr_w"/));
  });

  it('reports every error at once, each with its path', () => {
    const text = minimalSite('    timezone: Europe/Pariss\n    colour: blue')
      .replace('id: cleon-bureaux', 'id: Cleon Bureaux')
      .replace('usage: office', 'usage: offfice')
      .replace('floorAreaM2: 1850', 'floorAreaM2: -5');
    const problems = problemsOf(text, {});
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^sites\[0\]\.id: /),
        expect.stringMatching(/^sites\[0\]\.usage: /),
        expect.stringMatching(/^sites\[0\]\.floorAreaM2: /),
        'sites[0].timezone: unknown IANA time zone "Europe/Pariss"',
        'sites[0]: unknown key "colour"',
        'sites[0].devices[0].secret: environment variable TGBT_SECRET is not set',
      ]),
    );
  });

  it('refuses duplicate site and device ids', () => {
    const doubled = `
sites:
  - { id: a, name: A, usage: office, floorAreaM2: 10, devices: [{ id: m, kind: gas-meter, quantities: [gas_m3], secret: 12345678 }, { id: m, kind: gas-meter, quantities: [gas_m3], secret: 12345678 }] }
  - { id: a, name: B, usage: office, floorAreaM2: 10, devices: [{ id: n, kind: gas-meter, quantities: [gas_m3], secret: 12345678 }] }
`;
    const problems = problemsOf(doubled);
    expect(problems).toContain('sites[0].devices[1].id: device id "m" is already used in this site');
    expect(problems).toContain('sites[1].id: site id "a" is already used by sites[0]');
  });

  it('checks that the outdoor temperature source exists and publishes temperature', () => {
    const problems = problemsOf(minimalSite('    outdoorTemperature: { site: elsewhere, device: meteo }'));
    expect(problems).toContain('sites[0].outdoorTemperature.site: no site "elsewhere"');
    const problems2 = problemsOf(minimalSite('    outdoorTemperature: { device: tgbt }'));
    expect(problems2).toContain('sites[0].outdoorTemperature.quantity: device "tgbt" does not publish "temperature_c"');
  });

  it('checks that a sub-meter points at a main meter of the same site', () => {
    const site = (submeterOf: string, extra = '') => `
sites:
  - id: a
    name: A
    usage: office
    floorAreaM2: 10
    devices:
      - { id: main, kind: electricity-meter, quantities: [energy_kwh], secret: 12345678${extra} }
      - { id: lights, kind: electricity-meter, quantities: [energy_kwh], secret: 12345678, submeterOf: ${submeterOf} }
`;
    expect(parseConfigText(site('main'), 't.yaml', {}).sites[0]!.devices[1]!.submeterOf).toBe('main');
    expect(problemsOf(site('nowhere'))).toEqual(['sites[0].devices[1].submeterOf: no device "nowhere" in site "a"']);
    expect(problemsOf(site('lights'))).toEqual(['sites[0].devices[1].submeterOf: a meter cannot be its own sub-meter']);
    expect(problemsOf(site('main', ', submeterOf: lights'))).toContain('sites[0].devices[1].submeterOf: "main" is itself a sub-meter: point at the main meter');
  });

  it('needs a secret or a secret hash, not both', () => {
    const none = minimalSite().replace('        secret: ${TGBT_SECRET}\n', '');
    expect(problemsOf(none)).toContain('sites[0].devices[0].secret: a device needs `secret` or `secretHash`');
  });

  it('reports YAML syntax errors', () => {
    expect(problemsOf('sites: [\n  - id: a')[0]).toMatch(/^YAML: /);
  });

  it('reports a missing file', () => {
    expect(() => loadConfigFile('/nonexistent/sites.yaml')).toThrow(/cannot read the file/);
  });

  it('resolves CONFIG, then config/sites.yaml, then the example', () => {
    expect(resolveConfigPath({ CONFIG: '/etc/x.yaml' })).toBe('/etc/x.yaml');
    expect(resolveConfigPath({}, '/nowhere')).toBe('/nowhere/config/sites.example.yaml');
  });
});

describe('environment settings', () => {
  it('applies defaults', () => {
    const env = parseEnv({});
    expect(env.HTTP_PORT).toBe(8080);
    expect(env.MQTT_PORT).toBe(1883);
    expect(env.DATA_DIR).toBe('./data');
    expect(env.MQTT_URL).toBeUndefined();
    expect(env.INFLUX_DB).toBe('energy');
  });

  it('names the variable at fault', () => {
    expect(() => parseEnv({ HTTP_PORT: 'eighty', INFLUX_URL: 'localhost:8086' })).toThrow(EnvError);
    try {
      parseEnv({ HTTP_PORT: 'eighty', INFLUX_URL: 'localhost:8086' });
    } catch (err) {
      const problems = (err as EnvError).problems;
      expect(problems.some((p) => p.startsWith('HTTP_PORT:'))).toBe(true);
      expect(problems.some((p) => p.startsWith('INFLUX_URL:'))).toBe(true);
    }
  });

  it('serves live streams from the fan-out process unless told otherwise, and names a bad live setting', () => {
    expect(parseEnv({})).toMatchObject({ LIVE_FANOUT: 'process', LIVE_BATCH_MS: 100 });
    expect(parseEnv({ LIVE_FANOUT: 'inline', LIVE_BATCH_MS: '250' })).toMatchObject({ LIVE_FANOUT: 'inline', LIVE_BATCH_MS: 250 });
    for (const [name, value] of [['LIVE_FANOUT', 'thread'], ['LIVE_BATCH_MS', '5']] as const) {
      let err: EnvError | null = null;
      try {
        parseEnv({ [name]: value });
      } catch (e) {
        err = e as EnvError;
      }
      expect(err?.problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
    }
  });

  it('takes MQTT_PROTOCOL_VERSION 4 or 5 only', () => {
    expect(parseEnv({}).MQTT_PROTOCOL_VERSION).toBeUndefined();
    expect(parseEnv({ MQTT_PROTOCOL_VERSION: '4' }).MQTT_PROTOCOL_VERSION).toBe(4);
    expect(parseEnv({ MQTT_PROTOCOL_VERSION: '5' }).MQTT_PROTOCOL_VERSION).toBe(5);
    const err = (() => {
      try {
        parseEnv({ MQTT_PROTOCOL_VERSION: '3' });
      } catch (e) {
        return e as EnvError;
      }
      return null;
    })();
    expect(err?.problems.some((p) => p.startsWith('MQTT_PROTOCOL_VERSION:'))).toBe(true);
  });
});
