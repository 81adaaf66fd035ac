import { readFile } from 'node:fs/promises';

/** A memory field of /proc/<pid>/status, in KiB (0 once the process is gone). */
export async function rssKiB(pid: number, field: 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
}

/** CPU seconds (user + system) the process has used so far: fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100/s on Linux). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The machine's load averages as `uptime` prints them (1, 5 and 15 min). */
export async function loadAverage(): Promise<string> {
  const text = await readFile('/proc/loadavg', 'utf8');
  return text.split(' ').slice(0, 3).join(', ');
}
