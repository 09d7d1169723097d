// Counters are stored as decimal ASCII, as Redis INCRBY keeps them, so every backend holds the same bytes and `get`
// returns them.
import { StorageArgumentError } from './key-value-store.js';

// Canonical integers only (no '+', no '-0', no leading zeros or spaces), the forms Redis INCRBY accepts.
const DECIMAL_INTEGER = /^(0|-?[1-9][0-9]*)$/;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The counter after adding `by` to the value under `key` (absent counts as 0); throws, writing nothing, if it can't. */
export function incremented(key: string, current: Uint8Array | undefined, by: number): number {
  const value = current === undefined ? 0 : parse(key, current);
  const next = value + by;
  if (!Number.isSafeInteger(next)) {
    throw new StorageArgumentError(`by: adding ${by} to ${value} under key ${JSON.stringify(key)} leaves the safe integer range`);
  }
  return next;
}

export const counterBytes = (value: number): Uint8Array => encoder.encode(String(value));

function parse(key: string, bytes: Uint8Array): number {
  const text = decoder.decode(bytes);
  const value = Number(text);
  if (!DECIMAL_INTEGER.test(text) || !Number.isSafeInteger(value)) {
    throw new StorageArgumentError(`key: ${JSON.stringify(key)} holds a value that is not a decimal safe integer`);
  }
  return value;
}
