import { parseArgs } from 'node:util';
import { z } from 'zod';

export const simulateHelp = `usage: npm run simulate -- [options]
  Publishes realistic readings of the configured sites over MQTT, each device with its own
  credentials, in the contract's three shapes (meters JSON; gas, heat, water meters and weather
  stations SenML; room sensors plain topics, which carry no time: their history goes as JSON).
  --config FILE       site configuration (default: CONFIG, config/sites.yaml, the example)
  --sites a,b         only these sites (default: all)
  --url URL           broker (default: mqtt://127.0.0.1:MQTT_PORT, the embedded broker)
  --backfill DAYS     first publish DAYS of history with past timestamps, every 15 min,
                      as fast as the service acknowledges (or --speed times real time)
  --speed N           pace the history (or a --replay) at N times real time (default: as fast
                      as acknowledged); live readings are always in real time, never in the future
  --anomalies         inject heating left on over a weekend, a night load, a stuck sensor, a
                      meter reset, a spike, a silent device and a slow drift; each is logged as
                      a JSON line (what, device, from, to) when it takes effect
  --seed N            seed of every random choice (default 1): the same seed, the same data
  --interval S        live reading interval of every device, s (default by kind: 10 s meters,
                      60 s other meters and sensors, 300 s weather)
  --backfill-only     exit once the history is acknowledged
  --replay FILE.csv   replay a real history instead, published by --site's --device with its own
                      credentials, each reading at its original time, at --speed times real
                      time (default: as fast as acknowledged). The file is read as
                      \`npm run cli -- import\` reads it: a header row (after an export's
                      metadata block), a timestamp column (ISO 8601, or local date-times in the
                      site's zone) and a value column, \`,\` or \`;\` separated (decimal comma
                      with \`;\`), the unit where the file states it. For example an Enedis load
                      curve (\`Horodate;Valeur\`, W every 30 min: --values power), an hourly
                      export (\`timestamp,kwh\`: --values interval) or meter readings (--values
                      index). A refused line is logged with its number and column, and left
                      out (exit code 2). A replayed index starts at 0.
  --site S --device D --quantity Q   the device of the replay (required with --replay)
  --values power|interval|invoice|index   what the value column holds (default interval)
  --timestamp-column NAME, --value-column NAME, --timestamp-marks start|end   as for the import
  Logs JSON lines on stdout. Stop with Ctrl-C.`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  sites: { type: 'string' },
  url: { type: 'string' },
  backfill: { type: 'string' },
  speed: { type: 'string' },
  anomalies: { type: 'boolean' },
  seed: { type: 'string' },
  interval: { type: 'string' },
  'backfill-only': { type: 'boolean' },
  replay: { type: 'string' },
  site: { type: 'string' },
  device: { type: 'string' },
  quantity: { type: 'string' },
  values: { type: 'string' },
  'timestamp-column': { type: 'string' },
  'value-column': { type: 'string' },
  'timestamp-marks': { type: 'string' },
} as const;

const number = (what: string) => z.coerce.number({ error: `must be a number (${what})` });

const argsSchema = z.strictObject({
  help: z.boolean().optional(),
  config: z.string().optional(),
  sites: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== ''))
    .optional(),
  url: z.url({ protocol: /^mqtts?$/, error: 'must be an mqtt:// or mqtts:// URL' }).optional(),
  backfill: number('days').min(0).max(3660, 'at most 10 years').optional(),
  speed: number('times real time').positive().optional(),
  anomalies: z.boolean().optional(),
  seed: number('an integer').int().min(0).max(2 ** 32 - 1).optional(),
  interval: number('seconds').min(0.1).optional(),
  'backfill-only': z.boolean().optional(),
  replay: z.string().optional(),
  site: z.string().optional(),
  device: z.string().optional(),
  quantity: z.string().optional(),
  values: z.enum(['power', 'interval', 'invoice', 'index']).optional(),
  'timestamp-column': z.string().optional(),
  'value-column': z.string().optional(),
  'timestamp-marks': z.enum(['start', 'end']).optional(),
});

export type SimulateArgs = z.infer<typeof argsSchema>;

/** Parses and checks the command line; a bad option is reported with its name (`--speed: must be …`). */
export function parseSimulateArgs(argv: string[]): SimulateArgs {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (positionals.length > 0) throw new Error(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
  if (parsed.data.replay !== undefined) {
    for (const k of ['site', 'device', 'quantity'] as const) if (parsed.data[k] === undefined) throw new Error(`--${k} is required with --replay`);
  }
  return parsed.data;
}
