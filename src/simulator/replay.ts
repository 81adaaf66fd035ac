import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import type { AppConfig } from '../config/schema.js';
import { importCsv, type ImportReport, type ImportValues } from '../cli/import/import-csv.js';
import type { Reading } from '../model/reading.js';
import { secretOf, SimulatorSetupError } from './fleet.js';
import { defaultFormat, encodeReadings } from './payloads.js';
import { DevicePublisher } from './publisher.js';

export interface ReplayOptions {
  config: AppConfig;
  url: string;
  file: string;
  site: string;
  device: string;
  quantity: string;
  /** As `import --values`: interval consumptions, mean powers (W), invoice periods, or index / instantaneous values. */
  values: ImportValues;
  timestampColumn?: string;
  valueColumn?: string;
  timestampMarks?: 'start' | 'end';
  /** Times real time (reading i goes out (tᵢ − t₀) / speed after the first); 0: as fast as the service acknowledges. */
  speed: number;
  log: (line: Record<string, unknown>) => void;
  /** Unacknowledged messages in flight (default 100). */
  window?: number;
  now?: () => number;
}

export interface ReplayReport {
  /** What the CSV reader made of the file (the import's report: header, unit, refused lines…). */
  file: ImportReport;
  published: number;
  acked: number;
  failed: number;
  seconds: number;
}

/**
 * Collects what the import would store, instead of storing it: the replay reads the file exactly
 * as `npm run cli -- import` does (same header search, units, decimal comma, power to energy,
 * refused lines), then sends the readings over MQTT instead of writing them to the database.
 * No earlier index: a replayed index starts at 0, as an import into an empty store does.
 */
class ReadingCollector {
  readonly readings: Reading[] = [];
  write(readings: readonly Reading[]): Promise<void> {
    for (const r of readings) this.readings.push(r);
    return Promise.resolve();
  }
  readingAtOrBefore(): Promise<Reading | null> {
    return Promise.resolve(null);
  }
}

/**
 * `npm run simulate -- --replay FILE.csv --site S --device D --quantity Q [--values …]`: a real
 * history, read as the CSV import reads it, published by the device itself (its own credentials
 * and topic, in its kind's payload shape, each reading with its original time) at `speed` times
 * real time or as fast as acknowledged. A refused line is logged with its number and the column
 * at fault, and left out; the exit code is then 2. Setup errors (unknown site, device, quantity,
 * a unit that does not match `--values`) throw before anything is sent.
 */
export async function replayReadings(options: ReplayOptions): Promise<ReplayReport> {
  try {
    await access(options.file);
  } catch {
    throw new SimulatorSetupError('--replay', `cannot read ${options.file}`);
  }
  const collector = new ReadingCollector();
  const now = options.now ?? Date.now;
  const file = await importCsv(
    { config: options.config, store: collector, input: createReadStream(options.file), now },
    {
      site: options.site,
      device: options.device,
      quantity: options.quantity,
      values: options.values,
      ...(options.timestampColumn !== undefined ? { timestampColumn: options.timestampColumn } : {}),
      ...(options.valueColumn !== undefined ? { valueColumn: options.valueColumn } : {}),
      ...(options.timestampMarks !== undefined ? { timestampMarks: options.timestampMarks } : {}),
    },
  );
  for (const r of file.rejected) options.log({ msg: 'line refused', file: options.file, line: r.line, reason: r.reason });
  const site = options.config.sites.find((s) => s.id === file.site)!;
  const device = site.devices.find((d) => d.id === file.device)!;
  const readings = collector.readings;
  options.log({ msg: 'replay read', file: options.file, columns: file.columns, unit: file.unit, readings: readings.length, refusedLines: file.rejected.length, from: file.firstMs === null ? null : new Date(file.firstMs).toISOString(), to: file.lastMs === null ? null : new Date(file.lastMs).toISOString() });

  const publisher = new DevicePublisher(options.url, site.id, device.id, secretOf(options.config, site.id, device), options.window ?? 100, `sbe-replay-${process.pid}`);
  const t0 = performance.now();
  try {
    await publisher.start();
  } catch (e) {
    await publisher.stop();
    throw new Error(`cannot connect ${site.id}/${device.id} to ${options.url}: ${(e as Error).message}`, { cause: e });
  }
  const format = defaultFormat(device.kind);
  const firstMs = readings[0]?.tsMs ?? 0;
  try {
    for (const r of readings) {
      if (options.speed > 0) {
        const dueMs = t0 + (r.tsMs - firstMs) / options.speed;
        const wait = dueMs - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      // Every message carries its reading's time (a plain topic cannot: such a device's history goes as JSON).
      for (const m of encodeReadings(site.id, device.id, format, r.tsMs, { [r.quantity]: r.value }, true)) await publisher.publish(m);
    }
    await publisher.drain();
  } finally {
    await publisher.stop();
  }
  const report = { file, published: publisher.stats.sent, acked: publisher.stats.acked, failed: publisher.stats.failed, seconds: (performance.now() - t0) / 1000 };
  options.log({ msg: 'replay done', published: report.published, acked: report.acked, failed: report.failed, refusedLines: file.rejected.length, seconds: Number(report.seconds.toFixed(2)) });
  return report;
}

/** The command's exit code: 0, 2 when a line was refused or a message not acknowledged. */
export async function replayFile(options: ReplayOptions): Promise<number> {
  const report = await replayReadings(options);
  return report.failed > 0 || report.file.rejected.length > 0 ? 2 : 0;
}
