import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HEAP_CEILING_MB, SERVICE_NODE_FLAGS, heapCeilingProblem } from '../../../src/observability/heap-ceiling.js';

const root = new URL('../../../', import.meta.url);

describe('heap ceiling', () => {
  it('is what a node started with the service flags reports', () => {
    const limit = Number(execFileSync(process.execPath, [...SERVICE_NODE_FLAGS, '-p', "require('node:v8').getHeapStatistics().heap_size_limit"], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } }));
    expect(limit / 1048576).toBeGreaterThanOrEqual(HEAP_CEILING_MB);
    expect(heapCeilingProblem(limit)).toBeNull();
  });

  it("names the flag when the process runs with Node's default limit", () => {
    const problem = heapCeilingProblem(4144 * 1048576);
    expect(problem).toContain('4144 MB');
    expect(problem).toContain(`--max-old-space-size=${HEAP_CEILING_MB}`);
  });

  it('is passed by npm start and by the Docker image', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> };
    const dockerCmd = /^CMD (.*)$/m.exec(readFileSync(new URL('config/docker/Dockerfile', root), 'utf8'))?.[1];
    expect(dockerCmd).toBeDefined();
    const dockerArgs = JSON.parse(dockerCmd!) as string[];
    for (const flag of SERVICE_NODE_FLAGS) {
      expect(pkg.scripts.start!.split(' ')).toContain(flag);
      expect(dockerArgs).toContain(flag);
    }
  });
});
