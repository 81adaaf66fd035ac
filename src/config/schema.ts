import { z } from 'zod';
import { checkBridges, checkDeviceProfile, checkProfileTopics, deviceTopic, PROFILE_NAMES, profileViaBridge } from '../ingest/profiles/validate.js';
import { DEVICE_KINDS, QUANTITY_NAMES, SITE_USAGES, type QuantityName } from './quantities.js';
import { notificationsSchema } from '../alerts/email/recipients.js';

/** Identifiers end up in MQTT topics, URLs and database tags: keep them boring. */
const identifier = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'must be lower-case letters, digits and dashes (1-64), e.g. "cleon-bureaux"');

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

const timezone = z.string().superRefine((tz, ctx) => {
  if (!isValidTimeZone(tz)) ctx.addIssue({ code: 'custom', message: `unknown IANA time zone "${tz}"` });
});

export function isValidTimeZone(tz: unknown): boolean {
  if (typeof tz !== 'string') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const quantityName = z.enum(QUANTITY_NAMES as [QuantityName, ...QuantityName[]], {
  error: (issue) => `unknown quantity ${JSON.stringify(issue.input)} (known: ${QUANTITY_NAMES.join(', ')})`,
});

/** `scrypt$<salt base64>$<key base64>`, as printed by `npm run cli -- hash-secret`. */
const secretHash = z.string().regex(/^scrypt\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, 'must look like scrypt$<salt>$<hash>');

export const deviceSchema = z
  .strictObject({
    id: identifier,
    name: z.string().min(1).optional(),
    kind: z.enum(DEVICE_KINDS),
    quantities: z.array(quantityName).min(1, 'a device publishes at least one quantity'),
    // YAML reads `secret: 12345678` as a number; a secret is text whatever it looks like.
    secret: z
      .preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string().min(8, 'a device secret has at least 8 characters'))
      .optional(),
    secretHash: secretHash.optional(),
    /** Highest power the metered circuit can draw, in W: a counter step implying more is a spike. */
    maxPowerW: z.number().positive().optional(),
    /**
     * The main meter this one sits behind (lighting, a workshop line…). A sub-meter is shown
     * and stored like any meter, but left out of the site's totals so nothing is counted twice.
     */
    submeterOf: identifier.optional(),
    /** How the device publishes (README "Connecting real devices"): today's contract, or a shipped firmware's. */
    profile: z.enum(PROFILE_NAMES, { error: (issue) => `unknown profile ${JSON.stringify(issue.input)} (known: ${PROFILE_NAMES.join(', ')})` }).default('native'),
    /** The profile's own name for the device: Tasmota Topic, Shelly topic prefix, zigbee2mqtt friendly name, emon node… (default: id). */
    topic: deviceTopic.optional(),
    /** The bridge (site `bridges:`) that publishes for this device (zigbee2mqtt, zlinky). */
    bridge: identifier.optional(),
    /** Profile options, checked by the profile's own schema (src/ingest/profiles/). */
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((device, ctx) => {
    if (device.bridge === undefined && !profileViaBridge(device.profile) && device.secret === undefined && device.secretHash === undefined) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: 'a device needs `secret` or `secretHash`' });
    }
    checkDeviceProfile(device, ctx);
    if (device.secret !== undefined && device.secretHash !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['secretHash'], message: 'give `secret` or `secretHash`, not both' });
    }
    const seen = new Set<string>();
    device.quantities.forEach((q, i) => {
      if (seen.has(q)) ctx.addIssue({ code: 'custom', path: ['quantities', i], message: `quantity "${q}" is listed twice` });
      seen.add(q);
    });
  });

/** One MQTT client that publishes for several devices (zigbee2mqtt): authenticates as `{site}/{id}`. */
export const bridgeSchema = z
  .strictObject({
    id: identifier,
    profile: z.literal('zigbee2mqtt', { error: 'the only bridge profile is "zigbee2mqtt"' }),
    /** zigbee2mqtt's `mqtt.base_topic` (default "zigbee2mqtt"): unique across the configuration. */
    baseTopic: deviceTopic.default('zigbee2mqtt'),
    secret: z
      .preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string().min(8, 'a bridge secret has at least 8 characters'))
      .optional(),
    secretHash: secretHash.optional(),
  })
  .superRefine((bridge, ctx) => {
    if ((bridge.secret === undefined) === (bridge.secretHash === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: 'a bridge needs `secret` or `secretHash` (one of them)' });
    }
  });

const closureSchema = z.strictObject({
  from: isoDate,
  to: isoDate,
  label: z.string().optional(),
});

export const siteSchema = z.strictObject({
  id: identifier,
  name: z.string().min(1),
  usage: z.enum(SITE_USAGES),
  floorAreaM2: z.number().positive(),
  timezone: timezone.default('Europe/Paris'),
  /** ISO 3166 country code whose public holidays are non-working days. */
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as "FR"').default('FR'),
  city: z.string().optional(),
  /** Where the outdoor temperature comes from; `site` names another site's weather station. */
  outdoorTemperature: z
    .strictObject({ site: identifier.optional(), device: identifier, quantity: quantityName.default('temperature_c') })
    .optional(),
  calendar: z
    .strictObject({
      /** ISO weekday numbers (1 = Monday … 7 = Sunday) the site works on. */
      workingDays: z.array(z.number().int().min(1).max(7)).default([1, 2, 3, 4, 5]),
      closures: z.array(closureSchema).default([]),
      /** Opening hours on working days, local time, for the out-of-hours share. */
      openingHours: z
        .strictObject({ from: z.string().regex(/^\d{2}:\d{2}$/), to: z.string().regex(/^\d{2}:\d{2}$/) })
        .default({ from: '08:00', to: '18:00' }),
    })
    .optional(),
  baseline: z.strictObject({ from: isoDate, to: isoDate }).optional(),
  /**
   * Décret tertiaire: the reference year and, if known from invoices, its consumption in kWh; and,
   * when the site's category has one, the absolute targets Cabs in kWh/m²/year per milestone year
   * (arrêté du 10 avril 2020 "valeurs absolues"), met instead of the relative ones if less demanding.
   */
  decretTertiaire: z
    .strictObject({
      referenceYear: z.number().int().min(2010).max(2100),
      referenceConsumptionKWh: z.number().positive().optional(),
      absoluteTargetsKWhPerM2: z
        .strictObject({ '2030': z.number().positive().optional(), '2040': z.number().positive().optional(), '2050': z.number().positive().optional() })
        .optional(),
    })
    .optional(),
  devices: z.array(deviceSchema).min(1, 'a site has at least one device'),
  /** Who is mailed about this site's alerts, at which severities and in which language. */
  notifications: notificationsSchema.optional(),
  /** MQTT clients that publish for several devices of the site (zigbee2mqtt). */
  bridges: z.array(bridgeSchema).default([]),
});

export const degreeDaysSchema = z
  .strictObject({
    baseC: z.number().default(18),
  })
  .default({ baseC: 18 });

export const configSchema = z
  .strictObject({
    sites: z.array(siteSchema).min(1, 'at least one site is needed'),
    degreeDays: degreeDaysSchema,
    /** Anomaly rules; checked strictly by src/rules/rule-schema.ts, which knows the rule types. */
    rules: z.array(z.unknown()).optional(),
  })
  .superRefine((config, ctx) => {
    const siteIds = new Map<string, number>();
    config.sites.forEach((site, i) => {
      if (siteIds.has(site.id)) {
        ctx.addIssue({ code: 'custom', path: ['sites', i, 'id'], message: `site id "${site.id}" is already used by sites[${siteIds.get(site.id)}]` });
      } else siteIds.set(site.id, i);
      const deviceIds = new Map<string, number>();
      site.devices.forEach((device, j) => {
        if (deviceIds.has(device.id)) {
          ctx.addIssue({ code: 'custom', path: ['sites', i, 'devices', j, 'id'], message: `device id "${device.id}" is already used in this site` });
        } else deviceIds.set(device.id, j);
      });
      site.devices.forEach((device, j) => {
        if (device.submeterOf === undefined) return;
        const main = site.devices.find((d) => d.id === device.submeterOf);
        const path = ['sites', i, 'devices', j, 'submeterOf'];
        if (device.submeterOf === device.id) ctx.addIssue({ code: 'custom', path, message: 'a meter cannot be its own sub-meter' });
        else if (!main) ctx.addIssue({ code: 'custom', path, message: `no device "${device.submeterOf}" in site "${site.id}"` });
        else if (main.submeterOf !== undefined) ctx.addIssue({ code: 'custom', path, message: `"${main.id}" is itself a sub-meter: point at the main meter` });
      });
    });
    checkBridges(config, ctx);
    checkProfileTopics(config, ctx);
    config.sites.forEach((site, i) => {
      const ref = site.outdoorTemperature;
      if (!ref) return;
      const target = config.sites.find((s) => s.id === (ref.site ?? site.id));
      if (!target) {
        ctx.addIssue({ code: 'custom', path: ['sites', i, 'outdoorTemperature', 'site'], message: `no site "${ref.site}"` });
        return;
      }
      const device = target.devices.find((d) => d.id === ref.device);
      if (!device) {
        ctx.addIssue({ code: 'custom', path: ['sites', i, 'outdoorTemperature', 'device'], message: `no device "${ref.device}" in site "${target.id}"` });
      } else if (!device.quantities.includes(ref.quantity)) {
        ctx.addIssue({ code: 'custom', path: ['sites', i, 'outdoorTemperature', 'quantity'], message: `device "${ref.device}" does not publish "${ref.quantity}"` });
      }
    });
  });

export type AppConfig = z.infer<typeof configSchema>;
export type SiteConfig = AppConfig['sites'][number];
export type DeviceConfig = SiteConfig['devices'][number];
export type BridgeConfig = SiteConfig['bridges'][number];
