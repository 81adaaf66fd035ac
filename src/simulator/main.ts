/**
 * `npm run simulate -- …`: the pilot-site simulator as a command (see cli-args.ts for the options).
 * The composition root of the simulator: parses the options, loads the site configuration as the
 * service does, starts the run and owns its shutdown (SIGINT/SIGTERM stop it cleanly).
 */
import { loadContext } from '../cli/context.js';
import { parseSimulateArgs, simulateHelp } from './cli-args.js';
import { startSimulator, type SimulatorRun } from './simulator.js';

const logLine = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);

async function main(argv: string[]): Promise<number> {
  const args = parseSimulateArgs(argv);
  if (args.help) {
    process.stdout.write(`${simulateHelp}\n`);
    return 0;
  }
  const { env, config } = loadContext(args.config);
  const url = args.url ?? `mqtt://127.0.0.1:${env.MQTT_PORT}`;
  if (args.replay !== undefined) {
    const { replayFile } = await import('./replay.js');
    return replayFile({
      config,
      url,
      file: args.replay,
      site: args.site!,
      device: args.device!,
      quantity: args.quantity!,
      values: args.values ?? 'interval',
      ...(args['timestamp-column'] !== undefined ? { timestampColumn: args['timestamp-column'] } : {}),
      ...(args['value-column'] !== undefined ? { valueColumn: args['value-column'] } : {}),
      ...(args['timestamp-marks'] !== undefined ? { timestampMarks: args['timestamp-marks'] } : {}),
      speed: args.speed ?? 0,
      log: logLine,
    });
  }
  let run: SimulatorRun | null = null;
  const stop = async () => {
    await run?.stop();
    const s = run?.stats();
    if (s) logLine({ msg: 'simulator stopped', ...s });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)));
  run = await startSimulator({
    config,
    url,
    ...(args.sites ? { sites: args.sites } : {}),
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
    ...(args.backfill !== undefined ? { backfillDays: args.backfill } : {}),
    ...(args.speed !== undefined ? { speed: args.speed } : {}),
    ...(args.interval !== undefined ? { intervalS: args.interval } : {}),
    anomalies: args.anomalies === true,
    live: args['backfill-only'] !== true,
    log: logLine,
  });
  logLine({ msg: 'simulator started', url, devices: run.devices, backfillDays: args.backfill ?? 0, anomalies: run.injections.length });
  const report = await run.backfillDone;
  const s = run.stats();
  if (s.failed > 0) logLine({ msg: 'some messages were not acknowledged', failed: s.failed });
  if (args['backfill-only']) {
    await run.stop();
    logLine({ msg: 'simulator stopped', ...run.stats(), backfillSeconds: Number(report.seconds.toFixed(2)) });
    return s.failed > 0 ? 2 : 0;
  }
  return new Promise<number>(() => {});
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
