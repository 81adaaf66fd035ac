/**
 * Waits for `work` to settle, or for `ms` to pass, whichever comes first; never rejects. For a
 * stop that should let background work finish but must not hang on it.
 */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<'settled' | 'timed-out'> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), ms);
  });
  try {
    return await Promise.race([work.then(() => 'settled' as const, () => 'settled' as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
