// The core bench that runs unchanged in every runtime (Node, Deno, Bun, workerd, Chromium): AesCcmKey.seal/open
// against matter.js's pure-JS CCM (its StandardCrypto path: `Ccm(key).encrypt(...)` per message), side by side in
// one process, interleaved rounds, medians. No runtime API beyond performance.now and setTimeout.
import type * as Library from '../../src/index.js';

export interface MatterCcm {
  encrypt(key: Uint8Array, pt: Uint8Array, nonce: Uint8Array, aad: Uint8Array): Uint8Array;
  decrypt(key: Uint8Array, ct: Uint8Array, nonce: Uint8Array, aad: Uint8Array): Uint8Array;
}

export interface PortableRow {
  payload: number;
  operation: 'seal' | 'open';
  /** messages per second, median of the rounds */
  ours: number;
  matterJs: number;
  /** median of the per-round ratios ours / matter.js */
  ratio: number;
}

export interface PortableReport {
  runtime: string;
  version: string;
  coreBuild: string | undefined;
  rows: PortableRow[];
}

export const PORTABLE_SIZES = [64, 1024];
const AAD_LENGTH = 24;
// Short slices, many rounds, and the ratio taken per round (ours and matter.js run back to back in each round):
// on a shared machine the load moves between rounds, and a per-round ratio cancels most of it.
const ROUNDS = 25;
const SLICE_MS = 25;

// workerd only advances its clock on I/O (a Spectre mitigation): a timer turn before each clock read makes the
// reading current. Elsewhere the clock is read directly.
const clockNeedsIo = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers';
const turn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
async function now(): Promise<number> {
  if (clockNeedsIo) await turn();
  return performance.now();
}

/** Operations per second over at least SLICE_MS, in batches sized by a first calibration run. */
async function rate(op: () => void, batch: number): Promise<number> {
  const start = await now();
  let count = 0, elapsed = 0;
  do {
    for (let i = 0; i < batch; i++) op();
    count += batch;
    elapsed = (await now()) - start;
  } while (elapsed < SLICE_MS);
  return (count * 1000) / elapsed;
}

async function batchFor(op: () => void): Promise<number> {
  let batch = 16;
  for (;;) {
    const start = await now();
    for (let i = 0; i < batch; i++) op();
    const elapsed = (await now()) - start;
    if (elapsed >= 10 || batch >= 1 << 20) return Math.max(16, Math.ceil((batch * 10) / Math.max(elapsed, 0.5)));
    batch *= 4;
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
};

function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 17) & 0xff;
  return out;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export async function portableCoreBench(lib: typeof Library, matter: MatterCcm, runtime: string, version: string):
  Promise<PortableReport> {
  await lib.ready();
  const rows: PortableRow[] = [];
  let sink = 0;
  for (const size of PORTABLE_SIZES) {
    const key = bytes(16, 1), nonce = bytes(13, 2), aad = bytes(AAD_LENGTH, 3), pt = bytes(size, 4);
    const slot = new lib.AesCcmKey(key);
    const sealed = slot.seal(nonce, pt, aad);
    if (!sameBytes(sealed, matter.encrypt(key, pt, nonce, aad))) throw new Error(`${runtime}: seal disagrees with matter.js at ${size} B`);
    if (!sameBytes(slot.open(nonce, sealed, aad), pt)) throw new Error(`${runtime}: open disagrees at ${size} B`);
    const pairs: Array<['seal' | 'open', () => void, () => void]> = [
      ['seal', () => { sink ^= slot.seal(nonce, pt, aad)[0]!; }, () => { sink ^= matter.encrypt(key, pt, nonce, aad)[0]!; }],
      ['open', () => { sink ^= slot.open(nonce, sealed, aad)[0]!; }, () => { sink ^= matter.decrypt(key, sealed, nonce, aad)[0]!; }],
    ];
    for (const [operation, ours, theirs] of pairs) {
      // Warm-up lets each engine tier both up (V8: Liftoff -> TurboFan; JavaScriptCore: BBQ -> OMG) before counting.
      const oursBatch = await batchFor(ours), theirsBatch = await batchFor(theirs);
      await rate(ours, oursBatch);
      await rate(theirs, theirsBatch);
      const a: number[] = [], b: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        a.push(await rate(ours, oursBatch));
        b.push(await rate(theirs, theirsBatch));
      }
      const ratios = a.map((rate, r) => rate / b[r]!);
      rows.push({ payload: size, operation, ours: median(a), matterJs: median(b), ratio: median(ratios) });
    }
    slot.dispose();
  }
  if (sink === 0.5) console.log(sink);
  return { runtime, version, coreBuild: lib.coreBuild(), rows };
}
