import { describe, expect, it } from 'vitest';
import { formatZodIssues } from '../../../src/config/load.js';
import { configSchema } from '../../../src/config/schema.js';
import { profileConfigInput } from './profile-config.js';

type Input = ReturnType<typeof profileConfigInput> & { sites: { devices: Record<string, unknown>[]; bridges?: Record<string, unknown>[] }[] };

function problems(mutate: (input: Input) => void): string[] {
  const input = profileConfigInput() as Input;
  mutate(input);
  const parsed = configSchema.safeParse(input);
  return parsed.success ? [] : formatZodIssues(parsed.error.issues);
}

const device = (input: Input, id: string) => input.sites[0]!.devices.find((d) => d.id === id)!;

describe('device profiles in the site configuration', () => {
  it('accepts the test configuration, defaults the profile to native', () => {
    const config = configSchema.parse(profileConfigInput());
    expect(config.sites[0]!.devices.find((d) => d.id === 'tgbt')!.profile).toBe('native');
    expect(config.sites[0]!.bridges[0]).toMatchObject({ id: 'z2m', baseTopic: 'zigbee2mqtt' });
  });

  it('names an unknown profile and unknown options with their paths', () => {
    expect(problems((i) => (device(i, 'prise').profile = 'sonoff'))).toEqual([expect.stringMatching(/^sites\[0\]\.devices\[1\]\.profile: unknown profile "sonoff" \(known: native, tasmota/)]);
    expect(problems((i) => (device(i, 'prise').options = { timestmp: 'receive' }))).toEqual(['sites[0].devices[1].options: unknown key "timestmp" for profile tasmota']);
    expect(problems((i) => (device(i, 'pro-em').options = { component: 'em2' }))).toEqual([expect.stringMatching(/^sites\[0\]\.devices\[2\]\.options\.component: /)]);
  });

  it('checks the mapping strictly: pointers, scales, quantities, the topic filter', () => {
    expect(
      problems((i) => {
        device(i, 'passerelle').options = { fields: { power_w: { pointer: 'power1', scale: 0 } }, timestamp: { pointer: '/t', format: 'epoch' } };
      }),
    ).toEqual([
      'sites[0].devices[9].options.fields.power_w.pointer: a JSON pointer starts with "/" (RFC 6901), e.g. "/data/energy"',
      'sites[0].devices[9].options.fields.power_w.scale: a scale cannot be 0',
      expect.stringMatching(/^sites\[0\]\.devices\[9\]\.options\.timestamp\.format: /),
    ]);
    expect(problems((i) => (device(i, 'passerelle').options = { fields: { energy_kwh: { pointer: '/e' } } }))).toEqual([
      'sites[0].devices[9].options.fields.energy_kwh: quantity "energy_kwh" is not in the device\'s quantities',
      'sites[0].devices[9].quantities[0]: no field of options.fields gives "power_w"',
    ]);
    expect(problems((i) => (device(i, 'passerelle').topic = 'gw/+x/#'))).toEqual([expect.stringMatching(/^sites\[0\]\.devices\[9\]\.topic: "gw\/\+x\/#": "\+" must be a whole level/)]);
  });

  it('refuses quantities a profile cannot give, and power_w from the TIC unless declared an approximation', () => {
    expect(problems((i) => (device(i, 'prise').quantities = ['gas_m3']))).toEqual([expect.stringMatching(/^sites\[0\]\.devices\[1\]\.quantities\[0\]: profile tasmota gives no "gas_m3"/)]);
    expect(problems((i) => (device(i, 'teleinfo').options = { mode: 'historique', tariffs: ['HCHC', 'HCHP'] }))).toEqual([expect.stringMatching(/^sites\[0\]\.devices\[7\]\.quantities: the TIC gives apparent power \(VA\) only/)]);
    expect(problems((i) => (device(i, 'teleinfo').options = { mode: 'historique', tariffs: ['EASF01'], apparentPowerAsActivePower: true }))).toEqual([
      'sites[0].devices[7].options.tariffs[0]: "EASF01" is not a historique mode index (BASE, HCHC, HCHP, EJPHN, EJPHPM, BBRHCJB, BBRHPJB, BBRHCJW, BBRHPJW, BBRHCJR, BBRHPJR)',
    ]);
  });

  it('bridges: a bridged device names an existing bridge and has no secret of its own', () => {
    expect(problems((i) => delete device(i, 'climat').bridge)).toEqual([expect.stringMatching(/^sites\[0\]\.devices\[4\]\.bridge: a zigbee2mqtt device publishes through its bridge/)]);
    expect(problems((i) => (device(i, 'climat').bridge = 'zb'))).toEqual(['sites[0].devices[4].bridge: no bridge "zb" in site "atelier" (bridges: z2m)']);
    expect(problems((i) => (device(i, 'climat').secret = 'a-secret-of-its-own'))).toEqual(['sites[0].devices[4].secret: a bridged device has no credentials of its own: its bridge authenticates']);
    expect(problems((i) => (i.sites[0]!.bridges![0]!.id = 'prise'))).toContain('sites[0].bridges[0].id: "prise" is also a device id: bridges and devices share the username {site}/{id}');
  });

  it('topics are unique: two devices on one topic, or two bridges on one base topic, are refused', () => {
    expect(problems((i) => (device(i, 'pro3em').topic = 'shellyproem50-08f9e0e67204'))).toEqual([expect.stringMatching(/^sites\[0\]\.devices\[3\]\.topic: topic "shellyproem50-08f9e0e67204.*" is already claimed by atelier\/pro-em/)]);
    const twoBridges = problems((i) => (i.sites[1]!.bridges![0]!.baseTopic = 'zigbee2mqtt'));
    expect(twoBridges[0]).toMatch(/^sites\[1\]\.bridges\[0\]\.baseTopic: topic "zigbee2mqtt.*" is already claimed by atelier\/z2m/);
    expect(problems((i) => (device(i, 'prise').topic = 'sites/x'))).toEqual(['sites[0].devices[1].topic: topics under "sites/" are the native contract: use profile native']);
  });
});
