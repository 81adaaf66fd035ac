import { EnvError, parseEnv, type EnvSettings } from '../config/env.js';
import { ConfigError, loadConfigFile, resolveConfigPath } from '../config/load.js';
import type { AppConfig } from '../config/schema.js';
import { CliError } from './cli-error.js';

/** Settings and site configuration as the service reads them; `--config` wins over CONFIG. */
export function loadContext(configOption: string | undefined, env: NodeJS.ProcessEnv = process.env): { env: EnvSettings; config: AppConfig; configPath: string } {
  const merged = configOption !== undefined ? { ...env, CONFIG: configOption } : env;
  try {
    const settings = parseEnv(merged);
    const configPath = resolveConfigPath(merged);
    return { env: settings, config: loadConfigFile(configPath, merged), configPath };
  } catch (err) {
    if (err instanceof ConfigError || err instanceof EnvError) throw new CliError(err.message);
    throw err;
  }
}
