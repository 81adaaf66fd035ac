import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { EnergyAnalyticsService } from '../../energy/analytics-service.js';
import { computeRollupsAfterImport, importTargets } from '../../energy/import-rollups.js';
import { createLogger } from '../../observability/logger.js';
import { createStore } from '../../service.js';
import { CliError } from '../cli-error.js';
import { loadContext } from '../context.js';
import { importCsv, type ImportOptions, type ImportReport } from '../import/import-csv.js';

export const importHelp = `import --site S --device D --quantity Q --file F.csv [options]
  Backfills one series from a CSV file (load curve, invoices, meter readings), with the same
  checks as MQTT. Writes to InfluxDB when INFLUX_URL is set, else to DATA_DIR's DuckDB file
  (stop the service first: the file is locked while it runs).
  --values interval|power|invoice|index
                            interval (default): each row is the consumption of its interval;
                            power: each row is the mean power over its interval (an Enedis load
                            curve in W), stored as the interval's energy;
                            invoice: one row per billing period (start, end, consumption in kWh
                            or m³), spread over its period (estimated);
                            index: each row is a meter reading (or any sensor value)
                            A unit the file states (header "Valeur (W)", an "Unité" field of the
                            metadata block or column) is checked against --values and converted
                            (Wh, kWh, MWh; W, kW; gas kWh to m³ at 11.2 kWh/m³); a mismatch is refused.
                            A metadata block before the header row is skipped.
  --timestamp-column C      default: timestamp_utc, timestamp, datetime, horodate, time, date…, else the 1st
  --value-column C          default: the quantity's name, value, valeur, kwh, consumption…, else the next
  --timezone TZ             zone of timestamps without offset (default: the site's); ISO 8601
                            with an offset or Z, and epoch ms, are taken as they are
  --timestamp-marks start|end  interval rows: the timestamp starts (default) or ends the interval
  --delimiter , | ; | tab   default: guessed from the header
  --decimal . | ,           default: "," when the delimiter is ";", else "."
  --dry-run                 report what would be stored and every rejected line; write nothing
  --progress                show progress on stderr even when it is not a terminal
  --config FILE             site configuration (default: CONFIG, config/sites.yaml, the example)
  After the import, what the comparison derives from the imported days (each site's hourly
  consumption and temperatures per day, its baseline) is computed and kept in the store's
  rollups, so that the service's first comparison does not read them raw.
  Exit status: 0 all lines imported, 2 some lines rejected (listed with their numbers; the
  others are imported), 1 nothing done (bad option, unreadable file, store unavailable).
  Running the same import twice stores each reading once.`;

export interface ImportArgs {
  site?: string;
  device?: string;
  quantity?: string;
  file?: string;
  values?: string;
  timestampColumn?: string;
  valueColumn?: string;
  timezone?: string;
  timestampMarks?: string;
  delimiter?: string;
  decimal?: string;
  dryRun?: boolean;
  progress?: boolean;
  config?: string;
}

function required(value: string | undefined, option: string): string {
  if (value === undefined || value === '') throw new CliError(`--${option} is required (see --help)`);
  return value;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], option: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new CliError(`--${option} must be ${allowed.join(' or ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

function formatTs(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString();
}

export function describeReport(r: ImportReport): string[] {
  const lines = [
    `${r.dryRun ? 'dry run: would store' : 'stored'} ${r.readings} reading(s) of ${r.site}/${r.device}/${r.quantity} from ${formatTs(r.firstMs)} to ${formatTs(r.lastMs)}`,
    `  file: ${r.linesRead} line(s)${r.metadataLines > 0 ? `, header on line ${r.metadataLines + 1} after ${r.metadataLines} metadata line(s)` : ''}; columns "${r.columns.timestamp}" (${r.columns.end !== undefined ? `start), "${r.columns.end}" (end` : 'time'}) and "${r.columns.value}" (${r.values}); delimiter ${JSON.stringify(r.delimiter)}, decimal ${JSON.stringify(r.decimal)}; naive times in ${r.timezone}`,
    r.unit ? `  unit: ${r.unit.unit} (from ${r.unit.where})${r.gasKWhPerM3 !== undefined ? `, converted to m³ at ${r.gasKWhPerM3} kWh/m³` : ''}` : `  unit: not stated in the file; read as ${r.values === 'power' ? 'W' : `the quantity's own`}`,
    `  rows accepted: ${r.rowsAccepted}${r.emptyValues > 0 ? ` (${r.emptyValues} with no value: gaps${r.values !== 'index' ? ', estimated by the analytics' : ''})` : ''}; rejected: ${r.rejected.length}`,
  ];
  if (r.totalConsumption !== null) lines.push(`  total consumption: ${Number(r.totalConsumption.toFixed(6))}; counter index starts at ${r.startIndex}`);
  if (r.estimatedPeriods > 0) lines.push(`  ${r.estimatedPeriods} billing period(s) spread linearly over their days: estimated, not measured`);
  if (r.ambiguousLocalTimes > 0) lines.push(`  ${r.ambiguousLocalTimes} local time(s) fell in the repeated autumn hour: taken in file order`);
  return lines;
}

export async function importCommand(args: ImportArgs, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const options: ImportOptions = {
    site: required(args.site, 'site'),
    device: required(args.device, 'device'),
    quantity: required(args.quantity, 'quantity'),
    values: oneOf(args.values, ['interval', 'power', 'invoice', 'index'] as const, 'values') ?? 'interval',
    dryRun: args.dryRun ?? false,
  };
  const file = required(args.file, 'file');
  if (args.timestampColumn !== undefined) options.timestampColumn = args.timestampColumn;
  if (args.valueColumn !== undefined) options.valueColumn = args.valueColumn;
  if (args.timezone !== undefined) options.timezone = args.timezone;
  const marks = oneOf(args.timestampMarks, ['start', 'end'] as const, 'timestamp-marks');
  if (marks) options.timestampMarks = marks;
  const decimal = oneOf(args.decimal, ['.', ','] as const, 'decimal');
  if (decimal) options.decimal = decimal;
  if (args.delimiter !== undefined) {
    const d = args.delimiter === 'tab' ? '\t' : args.delimiter;
    if (![',', ';', '\t'].includes(d)) throw new CliError(`--delimiter must be , or ; or tab, got ${JSON.stringify(args.delimiter)}`);
    options.delimiter = d;
  }
  const { env, config } = loadContext(args.config);
  let sizeBytes: number;
  try {
    sizeBytes = (await stat(file)).size;
  } catch (e) {
    throw new CliError(`--file: cannot read ${file}: ${(e as Error).message}`);
  }

  const showProgress = args.progress === true || process.stderr.isTTY === true;
  const input = createReadStream(file);
  let lastProgressMs = 0;
  const onProgress = (p: { phase: 'read' | 'write'; done: number; total?: number }) => {
    const nowMs = Date.now();
    if (!showProgress || nowMs - lastProgressMs < 1000) return;
    lastProgressMs = nowMs;
    const pct = p.phase === 'read' ? (100 * input.bytesRead) / Math.max(1, sizeBytes) : (100 * p.done) / Math.max(1, p.total ?? p.done);
    err(`${p.phase === 'read' ? 'reading' : 'writing'}: ${p.done} ${p.phase === 'read' ? 'lines' : 'readings'} (${pct.toFixed(0)} %)`);
  };

  const logger = createLogger('warn');
  const store = options.dryRun ? undefined : await createStore(env, logger);
  if (store) {
    try {
      await store.start();
    } catch (e) {
      const message = (e as Error).message;
      if (/lock/i.test(message)) throw new CliError(`the database in ${env.DATA_DIR} is in use by the running service: stop it first, or import into InfluxDB (INFLUX_URL)`);
      throw new CliError(`the store is not available: ${message}`);
    }
  }
  try {
    const report = await importCsv({ config, ...(store ? { store } : {}), input, now: Date.now, onProgress }, options);
    for (const line of describeReport(report)) out(line);
    for (const r of report.rejected) err(`line ${r.line}: ${r.reason}`);
    if (store && report.firstMs !== null && report.lastMs !== null) {
      // The analytics as the service builds them (service.ts), so that it finds these rollups.
      const energy = new EnergyAnalyticsService({ config, query: store, rollups: store, logger: logger.child({ module: 'energy' }) });
      const t0 = performance.now();
      try {
        const r = await computeRollupsAfterImport(energy, importTargets(config, report.site, report.device, report.quantity), report.firstMs, report.lastMs, Date.now());
        out(`  rollups for the comparison: ${r.spans} span(s) of ${r.sites} site(s) read, ${r.computed} computed and stored, ${r.served} still valid (${Math.round(performance.now() - t0)} ms)`);
      } catch (e) {
        // The readings are stored: without rollups the service computes the same figures from them.
        err(`rollups not computed (the service will compute them from the readings): ${(e as Error).message}`);
      }
    }
    return report.rejected.length > 0 ? 2 : 0;
  } finally {
    await store?.stop();
  }
}
