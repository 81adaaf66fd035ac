import { describe, expect, it } from 'vitest';
import { DeviceAuthenticator, TopicPermissions } from '../../../src/ingest/device-auth.js';
import { generateMosquittoFiles } from '../../../src/ingest/mosquitto-files.js';
import { ProfileRouter } from '../../../src/ingest/profiles/router.js';
import { buildProfileConfig, PROFILE_SECRETS } from './profile-config.js';

const config = buildProfileConfig();
const permissions = new TopicPermissions(new ProfileRouter(config));
const auth = new DeviceAuthenticator(config);

describe('authentication and ACL follow the profile', () => {
  it('a Tasmota device authenticates as {site}/{device} and publishes only tele/<topic>/… and stat/<topic>/…', async () => {
    const prise = (await auth.authenticate('atelier/prise', PROFILE_SECRETS['atelier/prise']))!;
    expect(prise).toEqual({ site: 'atelier', device: 'prise' });
    expect(permissions.mayPublish(prise, 'tele/atelier_plug/SENSOR')).toBe(true);
    expect(permissions.mayPublish(prise, 'tele/atelier_plug/STATE')).toBe(true);
    expect(permissions.mayPublish(prise, 'stat/atelier_plug/RESULT')).toBe(true);
    expect(permissions.mayPublish(prise, 'tele/other_plug/SENSOR')).toBe(false);
    expect(permissions.mayPublish(prise, 'sites/atelier/devices/prise')).toBe(false);
    // Discovery at boot is tolerated for Tasmota devices, not for a Shelly.
    expect(permissions.mayPublish(prise, 'tasmota/discovery/2C3AE8123456/config')).toBe(true);
    const shelly = (await auth.authenticate('atelier/pro3em', PROFILE_SECRETS['atelier/pro3em']))!;
    expect(permissions.mayPublish(shelly, 'tasmota/discovery/2C3AE8123456/config')).toBe(false);
    expect(permissions.maySubscribe(prise, 'cmnd/atelier_plug/#')).toBe(true);
    expect(permissions.maySubscribe(prise, 'cmnd/atelier_plug/POWER')).toBe(true);
    expect(permissions.maySubscribe(prise, 'cmnd/other_plug/#')).toBe(false);
  });

  it('a bridged device has no credentials; the bridge authenticates and publishes in its base topic only', async () => {
    expect(await auth.authenticate('atelier/climat', 'anything-at-all')).toBeNull();
    const bridge = (await auth.authenticate('atelier/z2m', PROFILE_SECRETS['atelier/z2m']))!;
    expect(bridge).toEqual({ site: 'atelier', device: 'z2m' });
    expect(permissions.mayPublish(bridge, 'zigbee2mqtt/bureau/climat')).toBe(true);
    expect(permissions.mayPublish(bridge, 'zigbee2mqtt/Zlinky/availability')).toBe(true);
    expect(permissions.mayPublish(bridge, 'zigbee2mqtt/bridge/state')).toBe(true);
    // The other site's bridge and its device are not this bridge's.
    expect(permissions.mayPublish(bridge, 'z2m-bureaux/salle')).toBe(false);
    const other = (await auth.authenticate('bureaux/z2m', PROFILE_SECRETS['bureaux/z2m']))!;
    expect(permissions.mayPublish(other, 'zigbee2mqtt/bureau/climat')).toBe(false);
    expect(permissions.mayPublish(other, 'z2m-bureaux/salle')).toBe(true);
    expect(permissions.maySubscribe(bridge, 'zigbee2mqtt/#')).toBe(true);
    expect(permissions.maySubscribe(bridge, '#')).toBe(false);
  });

  it('a native device keeps its subtree', async () => {
    const tgbt = (await auth.authenticate('atelier/tgbt', PROFILE_SECRETS['atelier/tgbt']))!;
    expect(permissions.mayPublish(tgbt, 'sites/atelier/devices/tgbt/power_w')).toBe(true);
    expect(permissions.mayPublish(tgbt, 'tele/atelier_plug/SENSOR')).toBe(false);
  });

  it('mosquitto-files writes the same permissions, and the service user reads the profile topics', async () => {
    const files = await generateMosquittoFiles(config, { username: 'sbe', password: 'service-password' });
    const block = (user: string) => files.aclFile.split('\n\n').find((b) => b.includes(`user ${user}\n`))!.split('\n');
    expect(block('atelier/prise')).toEqual(['user atelier/prise', 'topic write tele/atelier_plug/SENSOR', 'topic write tele/atelier_plug/LWT', 'topic write tele/atelier_plug', 'topic write tele/atelier_plug/#', 'topic write stat/atelier_plug', 'topic write stat/atelier_plug/#', 'topic read cmnd/atelier_plug/#', 'topic read cmnd/tasmotas/#']);
    const bridge = block('atelier/z2m');
    expect(bridge).toContain('topic write zigbee2mqtt/bureau/climat');
    expect(bridge).toContain('topic write zigbee2mqtt/Zlinky/availability');
    expect(bridge).toContain('topic write zigbee2mqtt/bridge/#');
    expect(bridge).toContain('topic read zigbee2mqtt/#');
    expect(bridge.some((l) => l.startsWith('topic write') && l.includes('z2m-bureaux'))).toBe(false);
    expect(bridge).not.toContain('topic write zigbee2mqtt/#');
    expect(files.aclFile).not.toContain('user atelier/climat');
    const service = block('sbe');
    expect(service).toEqual(expect.arrayContaining(['topic read sites/+/devices/#', 'topic read tele/atelier_plug/SENSOR', 'topic read zigbee2mqtt/bureau/climat', 'topic read emon/+', 'topic read emon/emontx/#']));
    expect(files.passwordFile).toMatch(/^atelier\/z2m:\$7\$/m);
    expect(files.passwordFile).not.toMatch(/^atelier\/climat:/m);
  });
});
