/** Order statistics over samples; "nearest rank", so every figure is a value that was measured. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);

/**
 * Runs `a` and `b` alternately, `runs` times each, swapping which goes first on every round so
 * neither always follows the other; answers each one's timings in milliseconds.
 */
export async function interleaved(
  runs: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  between: () => Promise<unknown> = async () => {},
): Promise<{ a: number[]; b: number[] }> {
  const times = { a: [] as number[], b: [] as number[] };
  const time = async (which: 'a' | 'b') => {
    const started = performance.now();
    await (which === 'a' ? a() : b());
    times[which].push(performance.now() - started);
    await between();
  };
  for (let round = 0; round < runs; round += 1) {
    if (round % 2 === 0) {
      await time('a');
      await time('b');
    } else {
      await time('b');
      await time('a');
    }
  }
  return times;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
