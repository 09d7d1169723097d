// The assertions every conformance suite uses. Plain functions with no runtime dependency: the suites run unchanged
// in Node, Deno, Bun, workerd and Chromium (bundled together for the last four).

export interface Check { name: string; run(): void | Promise<void> }

export const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
export const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export function fail(message: string): never {
  throw new Error(message);
}

export function equal<T>(actual: T, expected: T, what: string): void {
  if (actual !== expected) fail(`${what}: got ${String(actual)}, expected ${String(expected)}`);
}

/** `expected` as bytes or hex. */
export function equalBytes(actual: Uint8Array | undefined, expected: Uint8Array | string, what: string): void {
  const want = typeof expected === 'string' ? expected : toHex(expected);
  if (actual === undefined) fail(`${what}: got nothing, expected ${want.slice(0, 80)}`);
  if (toHex(actual) !== want) fail(`${what}: got ${toHex(actual).slice(0, 80)}, expected ${want.slice(0, 80)}`);
}

function checkError(e: unknown, errorName: string, mentions: string, what: string): Error {
  const error = e as Error;
  if (error?.name !== errorName) fail(`${what}: threw ${error?.name}: ${error?.message}, expected ${errorName}`);
  if (mentions && !error.message.includes(mentions)) fail(`${what}: message "${error.message}" does not mention "${mentions}"`);
  return error;
}

/** `fn` throws an error of that name whose message mentions `mentions` ('' for any message); returns it. */
export function throwsNamed(fn: () => unknown, errorName: string, mentions: string, what: string): Error {
  try {
    fn();
  } catch (e) {
    return checkError(e, errorName, mentions, what);
  }
  return fail(`${what}: did not throw`);
}

/** As throwsNamed, for a function that may return a promise. */
export async function rejectsNamed(fn: () => unknown, errorName: string, what: string, mentions = ''): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return checkError(e, errorName, mentions, what);
  }
  return fail(`${what}: did not throw ${errorName}`);
}

/** xorshift32, so every runtime draws the same "random" inputs. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x;
  };
}
