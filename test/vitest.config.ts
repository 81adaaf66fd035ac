import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import LongFirstSequencer from './long-first-sequencer.js';

// Lives in test/ because the project's top level is fixed; paths resolve from the project root.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real brokers and databases: give them room, and keep
    // the two cores from being oversubscribed by too many at once.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    sequence: { sequencer: LongFirstSequencer },
  },
});
