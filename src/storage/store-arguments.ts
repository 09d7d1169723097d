// Argument checks shared by the stores. They run before any I/O, so a bad call rejects with a StorageArgumentError
// naming the argument and changes nothing.
import { StorageArgumentError } from './key-value-store.js';

// Keys have to survive UTF-8 (file names, Redis), and a lone surrogate does not: it would come back as U+FFFD and
// two different keys would share one value.
const LONE_SURROGATE = /\p{Surrogate}/u;

const describe = (value: unknown): string =>
  value === null ? 'null'
  : value instanceof Uint8Array ? `${value.length} bytes`
  : Array.isArray(value) ? 'an array'
  : typeof value === 'string' ? JSON.stringify(value)
  : typeof value === 'object' ? (value.constructor?.name ?? 'an object')
  : typeof value;

export function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new StorageArgumentError(`key: expected a non-empty string, got ${describe(key)}`);
  }
  if (LONE_SURROGATE.test(key)) {
    throw new StorageArgumentError(`key: ${JSON.stringify(key)} holds a lone surrogate, which UTF-8 cannot carry`);
  }
  return key;
}

export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string') throw new StorageArgumentError(`prefix: expected a string, got ${describe(prefix)}`);
  return prefix;
}

/** A copy of the value, taken at call time so the caller may reuse its array before the write completes. */
export function copyOfValue(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new StorageArgumentError(`value: expected a Uint8Array, got ${describe(value)}`);
  }
  return new Uint8Array(value);
}

export function checkIncrement(by: unknown): number {
  if (typeof by !== 'number' || !Number.isSafeInteger(by)) {
    throw new StorageArgumentError(`by: expected a safe integer, got ${typeof by === 'number' ? by : describe(by)}`);
  }
  return by;
}
