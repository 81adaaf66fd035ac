import type { AppConfig } from '../config/schema.js';

export interface ReplayOptions {
  config: AppConfig;
  url: string;
  file: string;
  site: string;
  device: string;
  quantity: string;
  values: 'power' | 'interval' | 'index';
  speed: number;
  log: (line: Record<string, unknown>) => void;
}

export async function replayFile(options: ReplayOptions): Promise<number> {
  throw new Error(`--replay ${options.file}: not yet implemented`);
}
