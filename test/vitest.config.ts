import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import LongFirstSequencer from './long-first-sequencer.js';

// Lives in test/ because the project's top level is fixed; paths resolve from the project root.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real brokers and databases: give them room. Three workers on the
    // two cores: the longest files (rules-crash, scale-two-services) mostly wait on the wall
    // clock's cron minute, so a third worker runs the rest meanwhile. A whole run with three
    // workers passed at load average 11-13 (2026-12-01), so the oversubscription is tolerated.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 3,
    sequence: { sequencer: LongFirstSequencer },
  },
});
