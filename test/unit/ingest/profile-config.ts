import { configSchema, type AppConfig } from '../../../src/config/schema.js';

/** Credentials of the profile test configuration (username -> password). */
export const PROFILE_SECRETS = {
  'atelier/prise': 'prise-secret-1',
  'atelier/pro-em': 'pro-em-secret-2',
  'atelier/pro3em': 'pro3em-secret-3',
  'atelier/z2m': 'z2m-bridge-secret',
  'atelier/teleinfo': 'teleinfo-secret-4',
  'atelier/emontx': 'emontx-secret-5',
  'atelier/passerelle': 'gateway-secret-6',
  'atelier/tgbt': 'tgbt-secret-77',
  'bureaux/z2m': 'z2m-bureaux-secret',
} as const;

/** One site with a device per profile and a zigbee2mqtt bridge; a second site with its own bridge. */
export function profileConfigInput(): Record<string, unknown> {
  return {
    sites: [
      {
        id: 'atelier',
        name: 'Atelier',
        usage: 'industrial',
        floorAreaM2: 800,
        timezone: 'Europe/Paris',
        bridges: [{ id: 'z2m', profile: 'zigbee2mqtt', secret: PROFILE_SECRETS['atelier/z2m'] }],
        devices: [
          { id: 'tgbt', kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], secret: PROFILE_SECRETS['atelier/tgbt'] },
          { id: 'prise', kind: 'electricity-meter', profile: 'tasmota', topic: 'atelier_plug', quantities: ['energy_kwh', 'power_w'], secret: PROFILE_SECRETS['atelier/prise'] },
          {
            id: 'pro-em',
            kind: 'electricity-meter',
            profile: 'shelly-gen2',
            topic: 'shellyproem50-08f9e0e67204',
            options: { component: 'em1', channel: 1 },
            quantities: ['energy_kwh', 'power_w'],
            secret: PROFILE_SECRETS['atelier/pro-em'],
          },
          { id: 'pro3em', kind: 'electricity-meter', profile: 'shelly-gen2', topic: 'shellypro3em-0cb815fc1234', quantities: ['energy_kwh', 'power_w'], secret: PROFILE_SECRETS['atelier/pro3em'] },
          { id: 'climat', kind: 'multi-sensor', profile: 'zigbee2mqtt', bridge: 'z2m', topic: 'bureau/climat', quantities: ['temperature_c', 'humidity_pct'] },
          { id: 'presence', kind: 'occupancy-sensor', profile: 'zigbee2mqtt', bridge: 'z2m', topic: '0x00158d0001e0a1b2', quantities: ['presence'] },
          {
            id: 'linky',
            kind: 'electricity-meter',
            profile: 'zlinky',
            bridge: 'z2m',
            topic: 'Zlinky',
            options: { mode: 'standard', tariffs: ['EASF01', 'EASF02'], apparentPowerAsActivePower: true },
            quantities: ['energy_kwh', 'power_w'],
          },
          {
            id: 'teleinfo',
            kind: 'electricity-meter',
            profile: 'teleinfo',
            topic: 'teleinfo/12345678901',
            options: { mode: 'historique', tariffs: ['HCHC', 'HCHP'], apparentPowerAsActivePower: true },
            quantities: ['energy_kwh', 'power_w'],
            secret: PROFILE_SECRETS['atelier/teleinfo'],
          },
          {
            id: 'emontx',
            kind: 'electricity-meter',
            profile: 'emon',
            topic: 'emontx',
            options: { keys: { power1: 'power_w', E1: { quantity: 'energy_kwh', scale: 0.001 } }, ignore: ['vrms', 'MSG'] },
            quantities: ['power_w', 'energy_kwh'],
            secret: PROFILE_SECRETS['atelier/emontx'],
          },
          {
            id: 'passerelle',
            kind: 'electricity-meter',
            profile: 'mapping',
            topic: 'emon/+',
            options: { fields: { power_w: { pointer: '/power1' } }, timestamp: { pointer: '/time', format: 'epoch-s' } },
            quantities: ['power_w'],
            secret: PROFILE_SECRETS['atelier/passerelle'],
          },
        ],
      },
      {
        id: 'bureaux',
        name: 'Bureaux',
        usage: 'office',
        floorAreaM2: 500,
        bridges: [{ id: 'z2m', profile: 'zigbee2mqtt', baseTopic: 'z2m-bureaux', secret: PROFILE_SECRETS['bureaux/z2m'] }],
        devices: [{ id: 'salle', kind: 'temperature-sensor', profile: 'zigbee2mqtt', bridge: 'z2m', topic: 'salle', quantities: ['temperature_c'] }],
      },
    ],
  };
}

export function buildProfileConfig(): AppConfig {
  return configSchema.parse(profileConfigInput());
}
