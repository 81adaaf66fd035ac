import { z } from 'zod';
import { QUANTITY_NAMES } from '../../config/quantities.js';
import { deviceTopicBase } from '../topic.js';
import type { DeviceProfile } from './types.js';

/**
 * Today's contract (README "MQTT contract"): `sites/{site}/devices/{device}` and below, JSON,
 * SenML or plain numbers. Its messages are decoded by decoder.ts on the hot path, never through
 * the router: `compile` only states the topics, for the external broker and Mosquitto's ACL.
 */
export const nativeProfile: DeviceProfile<Record<string, never>> = {
  name: 'native',
  description: 'our own contract: sites/{site}/devices/{device}, JSON, SenML or plain numbers',
  options: z.strictObject({}),
  quantities: QUANTITY_NAMES,
  viaBridge: false,
  compile(device, _options, ctx) {
    const base = deviceTopicBase(ctx.site.id, device.id);
    return {
      site: ctx.site.id,
      device: device.id,
      native: true,
      owner: `${ctx.site.id}/${device.id}`,
      topics: [],
      spaces: [base],
      patterns: [],
      subscribe: [base, `${base}/#`],
      serviceFilters: [],
      decode() {
        throw new Error('native messages are decoded by decoder.ts');
      },
    };
  },
};
