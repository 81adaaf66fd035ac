import closeWithGrace from 'close-with-grace';
import { EnvError, parseEnv } from './config/env.js';
import { ConfigError, loadConfigFile, resolveConfigPath } from './config/load.js';
import { heapCeilingProblem } from './observability/heap-ceiling.js';
import { createLogger } from './observability/logger.js';
import { loadRules } from './rules/load-rules.js';
import { defaultRegistry } from './rules/registry.js';
import { RulesError } from './rules/rule-schema.js';
import { startService } from './service.js';

// Process entry point: settings and configuration are checked before anything
// connects; a bad one prints every problem and exits non-zero.
async function main(): Promise<void> {
  let env;
  let config;
  let rules;
  try {
    env = parseEnv(process.env);
    const configPath = resolveConfigPath(process.env);
    config = loadConfigFile(configPath, process.env);
    rules = loadRules({ rulesFile: env.RULES_FILE, config, registry: defaultRegistry(), env: process.env, configSource: configPath });
  } catch (err) {
    if (err instanceof EnvError || err instanceof ConfigError || err instanceof RulesError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(env.LOG_LEVEL);
  const heapProblem = heapCeilingProblem();
  if (heapProblem) logger.warn(heapProblem);
  const service = await startService({ config, env, logger, rules });

  // SIGTERM/SIGINT: stop taking messages, flush, close, exit 0. A second signal,
  // or a flush slower than the delay, exits 1 (the spool replays what was accepted).
  closeWithGrace({ delay: 30_000, logger }, async ({ signal, err }) => {
    if (err) logger.fatal({ err }, 'unexpected error, stopping');
    else logger.info({ signal }, 'stopping');
    await service.stop();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`smart-building-energy could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
