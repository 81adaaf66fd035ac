import { fileURLToPath } from 'node:url';
import { notificationsSchema } from '../alerts/email/recipients.js';
import { loadConfigFile } from '../config/load.js';
import type { AppConfig } from '../config/schema.js';

/** The shipped example: the four pilot sites around Cléon, Elbeuf and Rouen. */
export const EXAMPLE_CONFIG = fileURLToPath(new URL('../../config/sites.example.yaml', import.meta.url));

/**
 * The example configuration with one demo recipient per site, added in memory (no file is
 * written). Opening mails only (`onResolve: false`): the history's anomalies are over by the time
 * the demo judges them, and one injected anomaly should read as one alert and one mail.
 */
export function demoConfig(env: NodeJS.ProcessEnv, recipient: string): AppConfig {
  const config = loadConfigFile(EXAMPLE_CONFIG, env);
  const notifications = notificationsSchema.parse([{ email: recipient, severities: ['warning', 'critical'], language: 'fr', onResolve: false }]);
  return { ...config, sites: config.sites.map((s) => ({ ...s, notifications: s.notifications ?? notifications })) };
}
