import { describe, expect, it } from 'vitest';
import { PayloadDecoder } from '../../../src/ingest/decoder.js';
import * as S from '../../fixtures/device-payloads/samples.js';
import { configSchema } from '../../../src/config/schema.js';
import { buildProfileConfig, profileConfigInput } from './profile-config.js';

const NOW = Date.parse('2026-11-22T10:00:00Z');
const decoder = new PayloadDecoder(buildProfileConfig());
const decode = (topic: string, payload: string, now = NOW) => decoder.decode(topic, Buffer.from(payload), now);
const values = (r: ReturnType<typeof decode>) => r.readings.map((x) => [x.device, x.quantity, x.value]);

describe('tasmota profile', () => {
  it('reads ENERGY.Total (kWh) and ENERGY.Power (W) of tele/<topic>/SENSOR, Time in the site zone', () => {
    const r = decode('tele/atelier_plug/SENSOR', S.TASMOTA_SENSOR);
    expect(r.rejections).toEqual([]);
    expect(values(r)).toEqual([
      ['prise', 'energy_kwh', 1.956],
      ['prise', 'power_w', 9],
    ]);
    // 18:59:50 in Paris in January is 17:59:50 UTC.
    expect(r.readings[0]!.tsMs).toBe(Date.parse('2018-01-17T17:59:50Z'));
    expect(r.readings[0]!.tsFromServer).toBeUndefined();
  });

  it('refuses the repeated autumn hour with a named reason', () => {
    const r = decode('tele/atelier_plug/SENSOR', S.TASMOTA_SENSOR_AMBIGUOUS);
    expect(r.readings).toEqual([]);
    expect(r.rejections).toEqual([expect.objectContaining({ reason: 'ambiguous-timestamp', field: 'Time' })]);
    expect(r.rejections[0]!.detail).toContain('2026-10-25T02:30:00 happens twice in Europe/Paris');
  });

  it('turns the LWT into an online status, and ignores STATE', () => {
    expect(decode('tele/atelier_plug/LWT', S.TASMOTA_LWT_OFFLINE)).toMatchObject({ readings: [], rejections: [], availability: { site: 'atelier', device: 'prise', online: false } });
    expect(decode('tele/atelier_plug/STATE', S.TASMOTA_STATE)).toMatchObject({ readings: [], rejections: [] });
    expect(decode('tasmota/discovery/2C3AE8123456/config', S.TASMOTA_DISCOVERY)).toMatchObject({ readings: [], rejections: [] });
    expect(decode('tele/atelier_plug/WHATEVER', '{}').rejections[0]).toMatchObject({ reason: 'unknown-topic' });
  });

  it('refuses a SENSOR without the declared quantities, naming them', () => {
    const r = decode('tele/atelier_plug/SENSOR', '{"Time":"2018-01-17T18:59:50","Switch1":"ON"}');
    expect(r.rejections).toEqual([expect.objectContaining({ reason: 'missing-field' })]);
    expect(decode('tele/atelier_plug/SENSOR', '{"Time":"2018-01-17T18:59:50","ENERGY":{"Total":"x","Power":1}}').rejections[0]).toMatchObject({ reason: 'invalid-value', field: 'ENERGY.Total' });
  });
});

describe('shelly-gen2 profile', () => {
  it('em1:N / em1data:N of a Pro EM: W and Wh -> kWh, receive time', () => {
    const p = decode('shellyproem50-08f9e0e67204/status/em1:1', S.SHELLY_EM1_STATUS);
    expect(values(p)).toEqual([['pro-em', 'power_w', 5080.3]]);
    expect(p.readings[0]!.tsFromServer).toBe(true);
    expect(values(decode('shellyproem50-08f9e0e67204/status/em1data:1', S.SHELLY_EM1DATA_STATUS))).toEqual([['pro-em', 'energy_kwh', 6.6449]]);
    // channel 0 is not this device's
    expect(decode('shellyproem50-08f9e0e67204/status/em1:0', S.SHELLY_EM1_STATUS)).toMatchObject({ readings: [], rejections: [] });
  });

  it('em:0 / emdata:0 of a Pro 3EM, and NotifyStatus with the device time', () => {
    expect(values(decode('shellypro3em-0cb815fc1234/status/em:0', S.SHELLY_EM_STATUS))).toEqual([['pro3em', 'power_w', 25442.703]]);
    expect(values(decode('shellypro3em-0cb815fc1234/status/emdata:0', S.SHELLY_EMDATA_STATUS))).toEqual([['pro3em', 'energy_kwh', 248.53357]]);
    const tsS = NOW / 1000 - 60.5;
    const n = decode('shellypro3em-0cb815fc1234/events/rpc', S.shellyNotifyStatus('shellypro3em-0cb815fc1234', tsS));
    expect(values(n)).toEqual([['pro3em', 'energy_kwh', 248.54012]]);
    expect(n.readings[0]).toMatchObject({ tsMs: NOW - 60_500 });
    expect(decode('shellypro3em-0cb815fc1234/online', 'false').availability).toEqual({ site: 'atelier', device: 'pro3em', online: false });
    expect(decode('shellypro3em-0cb815fc1234/status/sys', '{"mac":"x"}')).toMatchObject({ readings: [], rejections: [] });
  });
});

describe('zigbee2mqtt and zlinky profiles (bridged)', () => {
  it('reads temperature and humidity, occupancy as presence, availability', () => {
    expect(values(decode('zigbee2mqtt/bureau/climat', S.Z2M_TEMPERATURE_HUMIDITY))).toEqual([
      ['climat', 'temperature_c', 27.34],
      ['climat', 'humidity_pct', 44.72],
    ]);
    expect(values(decode('zigbee2mqtt/0x00158d0001e0a1b2', S.Z2M_OCCUPANCY))).toEqual([['presence', 'presence', 1]]);
    expect(decode('zigbee2mqtt/bureau/climat/availability', S.Z2M_OFFLINE_LEGACY).availability).toEqual({ site: 'atelier', device: 'climat', online: false });
    expect(decode('zigbee2mqtt/bridge/state', S.Z2M_ONLINE).availability).toEqual({ site: 'atelier', device: 'z2m', online: true });
    expect(decode('zigbee2mqtt/bridge/devices', '[]')).toMatchObject({ readings: [], rejections: [] });
  });

  it('a friendly name no device names is an unknown-device rejection', () => {
    const r = decode('zigbee2mqtt/cuisine/prise', '{"power":12}');
    expect(r.rejections).toEqual([expect.objectContaining({ reason: 'unknown-device' })]);
    expect(r.rejections[0]!.detail).toContain('"cuisine/prise"');
  });

  it('ZLinky standard mode: EASF01 + EASF02 summed into energy_kwh, each kept as a sub-channel; SINSTS as power_w', () => {
    const r = decode('zigbee2mqtt/Zlinky', S.ZLINKY_STANDARD);
    expect(r.rejections).toEqual([]);
    expect(values(r)).toEqual([
      ['linky-easf01', 'energy_kwh', 19901],
      ['linky-easf02', 'energy_kwh', 21144],
      ['linky', 'energy_kwh', 41045],
      ['linky', 'power_w', 2040],
    ]);
  });

  it('a ZLinky state missing a configured tariff index stores no sum (it would look like a reset)', () => {
    const partial = JSON.stringify({ ...JSON.parse(S.ZLINKY_STANDARD), current_tier2_summ_delivered: null });
    const r = decode('zigbee2mqtt/Zlinky', partial);
    expect(values(r)).toEqual([
      ['linky-easf01', 'energy_kwh', 19901],
      ['linky', 'power_w', 2040],
    ]);
    expect(r.rejections).toEqual([expect.objectContaining({ reason: 'missing-field', field: 'EASF02' })]);
  });
});

describe('teleinfo, emon and mapping profiles', () => {
  it('teleinfo2mqtt frame: HCHC + HCHP in Wh -> kWh, summed, PAPP as power_w', () => {
    expect(values(decode('teleinfo/12345678901', S.TELEINFO_HISTORIC))).toEqual([
      ['teleinfo-hchc', 'energy_kwh', 9058.688],
      ['teleinfo-hchp', 'energy_kwh', 9752.846],
      ['teleinfo', 'energy_kwh', 18811.534],
      ['teleinfo', 'power_w', 4110],
    ]);
  });

  it('emon/<node>/<variable>: mapped, scaled, ignored or refused', () => {
    expect(values(decode('emon/emontx/power1', S.EMON_POWER1))).toEqual([['emontx', 'power_w', 100]]);
    expect(values(decode('emon/emontx/E1', '123456'))).toEqual([['emontx', 'energy_kwh', 123.456]]);
    expect(decode('emon/emontx/vrms', '236.1')).toMatchObject({ readings: [], rejections: [] });
    expect(decode('emon/emontx/T1', '21.5').rejections[0]).toMatchObject({ reason: 'unknown-quantity', field: 'T1' });
    expect(decode('emon/emontx/power1', 'abc').rejections[0]).toMatchObject({ reason: 'invalid-value', field: 'power1' });
  });

  it('mapping: a pointer per quantity and an epoch-seconds timestamp', () => {
    const r = decode('emon/10', S.emonJson(NOW / 1000 - 30));
    expect(values(r)).toEqual([['passerelle', 'power_w', 100]]);
    expect(r.readings[0]!.tsMs).toBe(NOW - 30_000);
    expect(decode('emon/10', '{"power2":1,"time":1700000000}').rejections[0]).toMatchObject({ reason: 'missing-field', field: '/power1' });
  });
});

describe('routing', () => {
  it('leaves the native contract as it was, and refuses sites/ topics of a profile device', () => {
    expect(values(decode('sites/atelier/devices/tgbt', '{"energy_kwh": 10, "power_w": 5}'))).toEqual([
      ['tgbt', 'energy_kwh', 10],
      ['tgbt', 'power_w', 5],
    ]);
    expect(decode('sites/atelier/devices/prise', '{"energy_kwh": 10}').rejections[0]).toMatchObject({ reason: 'unknown-topic' });
    expect(decode('nowhere/at/all', '1').rejections[0]).toMatchObject({ reason: 'unknown-topic' });
  });
});

describe('counters of these devices through the analytics reset rule', () => {
  it("Tasmota's Total cleared to 0 and a Shelly counter restarting at 0 are resets, not negative steps", async () => {
    const { stepsFromIndex } = await import('../../../src/energy/counters.js');
    const tasmota = [S.TASMOTA_SENSOR, S.TASMOTA_SENSOR_AFTER_RESET].map((p) => decode('tele/atelier_plug/SENSOR', p).readings.find((x) => x.quantity === 'energy_kwh')!);
    const t = stepsFromIndex(tasmota.map((x) => ({ tsMs: x.tsMs, value: x.value })), { site: 'atelier', device: 'prise', quantity: 'energy_kwh' });
    expect(t.corrections.map((c) => c.kind)).toEqual(['reset']);
    expect(t.steps.map((s) => s.value)).toEqual([0.002]);
    const shelly = [S.SHELLY_EMDATA_STATUS, '{"id":0,"total_act":12.5,"total_act_ret":0}'].map((p, i) => decode('shellypro3em-0cb815fc1234/status/emdata:0', p, NOW + i * 60_000).readings[0]!);
    const s = stepsFromIndex(shelly.map((x) => ({ tsMs: x.tsMs, value: x.value })), { site: 'atelier', device: 'pro3em', quantity: 'energy_kwh' });
    expect(s.corrections.map((c) => c.kind)).toEqual(['reset']);
    expect(s.steps[0]!.value).toBeCloseTo(0.0125, 10);
  });
});

describe('other shapes the same firmware ships', () => {
  /** The test configuration with some devices' options changed. */
  function decoderWith(change: (devices: Record<string, unknown>[]) => void): PayloadDecoder {
    const input = profileConfigInput() as { sites: { devices: Record<string, unknown>[] }[] };
    change(input.sites[0]!.devices);
    return new PayloadDecoder(configSchema.parse(input));
  }

  it('Tasmota multi-channel arrays are summed (Power per channel, Total with SetOption129)', () => {
    const r = decode('tele/atelier_plug/SENSOR', '{"Time":"2018-01-17T18:59:50","ENERGY":{"Total":[1.25,0.5],"Power":[12,7]}}');
    expect(values(r)).toEqual([
      ['prise', 'energy_kwh', 1.75],
      ['prise', 'power_w', 19],
    ]);
  });

  it('a Shelly Plus PM Mini (pm1:0): apower and aenergy.total', () => {
    const d = decoderWith((devices) => (devices.find((x) => x.id === 'pro3em')!.options = { component: 'pm1' }));
    const r = d.decode('shellypro3em-0cb815fc1234/status/pm1:0', Buffer.from('{"id":0,"voltage":233.1,"current":0.151,"apower":15.8,"freq":50,"aenergy":{"total":9492.468,"by_minute":[0,0,0],"minute_ts":1700000000}}'), NOW);
    expect(values(r)).toEqual([
      ['pro3em', 'power_w', 15.8],
      ['pro3em', 'energy_kwh', 9.492468],
    ]);
  });

  it('ZLinky historic BASE, and the camelCase Wh attributes of zigbee2mqtt 2021', () => {
    const d = decoderWith((devices) => (devices.find((x) => x.id === 'linky')!.options = { mode: 'historique', tariffs: ['BASE'], apparentPowerAsActivePower: true }));
    expect(values(d.decode('zigbee2mqtt/Zlinky', Buffer.from(S.ZLINKY_HISTORIC_BASE), NOW))).toEqual([
      ['linky-base', 'energy_kwh', 4096],
      ['linky', 'energy_kwh', 4096],
      ['linky', 'power_w', 1670],
    ]);
    const legacy = d.decode('zigbee2mqtt/Zlinky', Buffer.from(S.ZLINKY_LEGACY_2021), NOW);
    expect(values(legacy)).toEqual([
      ['linky-base', 'energy_kwh', 4571.435],
      ['linky', 'energy_kwh', 4571.435],
    ]);
    expect(legacy.readings[0]!.tsMs).toBe(Date.parse('2021-12-24T11:33:18.695Z')); // last_seen
  });
});

describe('router bounds', () => {
  it('a 60,000-level topic of a device is refused quickly, not scanned level by level', () => {
    const topic = `tele/atelier_plug/${'x/'.repeat(30_000)}SENSOR`;
    const started = performance.now();
    const r = decode(topic, '{}');
    expect(performance.now() - started).toBeLessThan(200);
    expect(r.rejections[0]).toMatchObject({ reason: 'unknown-topic' });
  });
});
