import { cpus, loadavg } from 'node:os';

/** One line saying how loaded the machine was (benchmarks on a shared 2-core machine). */
export function machineLoad(): string {
  const [l1, l5, l15] = loadavg().map((x) => x.toFixed(2));
  return `load average ${l1}, ${l5}, ${l15} on ${cpus().length} cores; Node ${process.version}`;
}
