// Side-by-side throughput measurement for noisy machines: every candidate runs in the same process, in
// interleaved rounds (A B C A B C ...), each round for a fixed time slice; the figure is the median over rounds.

export interface Candidate {
  name: string;
  /** Runs one operation; the bench counts how many fit in a time slice. May be async (its real path is). */
  op(): void | Promise<void>;
}

export interface Measured {
  name: string;
  /** Median operations per second over the rounds. */
  opsPerSecond: number;
  rounds: number[];
}

const now = (): number => performance.now();

function runSlice(op: () => void, sliceMs: number): number {
  let count = 0;
  const start = now();
  let elapsed = 0;
  // Check the clock every 16 operations so timing costs little even for sub-microsecond operations.
  do {
    for (let i = 0; i < 16; i++) op();
    count += 16;
    elapsed = now() - start;
  } while (elapsed < sliceMs);
  return (count * 1000) / elapsed;
}

async function runSliceAsync(op: () => Promise<void>, sliceMs: number): Promise<number> {
  let count = 0;
  const start = now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 16; i++) await op();
    count += 16;
    elapsed = now() - start;
  } while (elapsed < sliceMs);
  return (count * 1000) / elapsed;
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export interface MeasureOptions { rounds?: number; sliceMs?: number; warmupMs?: number }

export function measure(candidates: Candidate[], options: MeasureOptions = {}): Measured[] {
  const { rounds = 7, sliceMs = 80, warmupMs = 150 } = options;
  const ops = candidates.map((c) => c.op as () => void);
  // Warm-up lets V8 tier up both the JS and the wasm (Liftoff -> TurboFan) before anything is counted.
  for (const op of ops) runSlice(op, warmupMs);
  const results = candidates.map((c) => ({ name: c.name, rounds: [] as number[], opsPerSecond: 0 }));
  for (let r = 0; r < rounds; r++) ops.forEach((op, i) => results[i]!.rounds.push(runSlice(op, sliceMs)));
  for (const m of results) m.opsPerSecond = median(m.rounds);
  return results;
}

/** As measure, for candidates of which some are async: each is awaited per operation, sync ones are not. */
export async function measureMixed(candidates: Candidate[], options: MeasureOptions = {}): Promise<Measured[]> {
  const { rounds = 7, sliceMs = 80, warmupMs = 150 } = options;
  const probes = await Promise.all(candidates.map(async (c) => {
    const result = c.op();
    if (result instanceof Promise) await result;
    return result instanceof Promise;
  }));
  const slice = (i: number, ms: number) => probes[i]
    ? runSliceAsync(candidates[i]!.op as () => Promise<void>, ms)
    : Promise.resolve(runSlice(candidates[i]!.op as () => void, ms));
  for (let i = 0; i < candidates.length; i++) await slice(i, warmupMs);
  const results = candidates.map((c) => ({ name: c.name, rounds: [] as number[], opsPerSecond: 0 }));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < candidates.length; i++) results[i]!.rounds.push(await slice(i, sliceMs));
  }
  for (const m of results) m.opsPerSecond = median(m.rounds);
  return results;
}

/** Median over rounds of a's rate / b's rate in the same round: robust to load that moves between rounds. */
export function pairedRatio(a: Measured, b: Measured): number {
  return median(a.rounds.map((rate, r) => rate / b.rounds[r]!));
}

/** Runs `total` async operations, `inFlight` at a time (a closed loop of clients); returns operations per second. */
export async function operationsPerSecond(total: number, inFlight: number, operation: () => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < total) {
      next++;
      await operation();
    }
  }));
  return total / ((performance.now() - started) / 1000);
}
