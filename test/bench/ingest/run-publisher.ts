import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PUBLISHER = fileURLToPath(new URL('./publisher.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** What the publisher process prints: messages acknowledged, when, PUBACK percentiles and its own CPU. */
export interface PublisherResult {
  acked: number;
  firstPublishMs: number;
  lastAckMs: number;
  ackP50Ms: number;
  ackP99Ms: number;
  cpuS: number;
}

/** Runs publisher.ts in its own process (it must not share an event loop with the harness) with these arguments. */
export function runPublisher(args: Record<string, unknown>): Promise<PublisherResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', PUBLISHER, JSON.stringify(args)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as PublisherResult) : reject(new Error(`publisher exited with ${code}`))));
  });
}
