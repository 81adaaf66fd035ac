import closeWithGrace from 'close-with-grace';
import { EnvError, parseEnv } from './config/env.js';
import { ConfigError, loadConfigFile, resolveConfigPath } from './config/load.js';
import { heapCeilingProblem } from './observability/heap-ceiling.js';
import { createLogger } from './observability/logger.js';
import { startService } from './service.js';

// Process entry point: settings and configuration are checked before anything
// connects; a bad one prints every problem and exits non-zero.
async function main(): Promise<void> {
  let env;
  let config;
  try {
    env = parseEnv(process.env);
    config = loadConfigFile(resolveConfigPath(process.env), process.env);
  } catch (err) {
    if (err instanceof EnvError || err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(env.LOG_LEVEL);
  const heapProblem = heapCeilingProblem();
  if (heapProblem) logger.warn(heapProblem);
  const service = await startService({ config, env, logger });

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
