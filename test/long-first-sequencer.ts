import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test files that wait on the wall clock for minutes (a 2-minute rule duration, two services
 * taking over from each other) start first. Most of their time is spent waiting, so the other
 * worker runs the rest of the suite meanwhile; started last, as the default order (largest
 * file first, on a fresh clone) did, they alone made the last two minutes of a CI run.
 */
const LONG_FIRST = [
  'test/integration/rules-crash.test.ts',
  'test/integration/scale-two-services.test.ts',
  'test/integration/cli-import.test.ts',
];

const rank = (spec: TestSpecification): number => {
  const i = LONG_FIRST.findIndex((path) => spec.moduleId.endsWith(path));
  return i === -1 ? LONG_FIRST.length : i;
};

export default class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // Array.prototype.sort is stable: the others keep the default order among themselves.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
