// A store in a directory, one file per key, for Node. Every write goes to a temp file in the same directory, is
// fsynced, renamed over the value file and the directory fsynced, so a crash at any moment leaves either the old value
// or the new one, whole. Temp files a crash leaves behind are never read as values and are removed by the next open.
//
// setIfAbsent and increment are atomic within this process: the writes to one key run one at a time. They are not
// atomic across processes sharing the directory; a node that needs that wants a distributed store (Redis, Durable
// Objects). Values may hold session keys, so files are created readable by their owner only.
//
// One process at a time: open() takes a lock file (`.lock`, holding the owner's pid and host) and close() removes it.
// A second process, or a second open in this one, gets FileStoreLockedError naming the directory and the holder.
// A lock whose process is gone (a crash, a SIGKILL) is stale and is taken over; a lock from another host cannot be
// checked from here and counts as held.
//
// A key's file name is the key escaped (key-file-names.ts) and may not pass 255 characters: 253 lower-case ASCII
// characters, or a third of that in other UTF-8 bytes. Longer keys are refused with a StorageArgumentError.
import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { StorageArgumentError, type KeyValueStore } from './key-value-store.js';
import { checkIncrement, checkKey, checkPrefix, copyOfValue } from './store-arguments.js';
import { counterBytes, incremented } from './decimal-counter.js';
import { fileNameForKey, keyForFileName, TEMP_FILE_PREFIX } from './key-file-names.js';
import { KeyedQueue } from './keyed-queue.js';
import { StoreLifecycle } from './store-lifecycle.js';

const LOCK_FILE = '.lock';
/** Attempts at taking a lock that keeps turning out stale (another process taking it over at the same moment). */
const LOCK_ATTEMPTS = 5;

/** Another live process (or this one) has the directory open as a FileStore. Nothing was changed. */
export class FileStoreLockedError extends Error {
  override name = 'FileStoreLockedError';
  constructor(readonly directory: string, readonly holder: { pid: number; host: string }) {
    super(`FileStore: ${directory} is in use by process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}`
      + ` (lock file ${join(directory, LOCK_FILE)}); close it there first, or remove the lock file if that process is not a FileStore`);
  }
}

export class FileStore implements KeyValueStore {
  readonly #directory: string;
  readonly #writesPerKey = new KeyedQueue();
  readonly #lifecycle = new StoreLifecycle('FileStore');

  private constructor(directory: string) {
    this.#directory = directory;
  }

  /** Opens the store in `directory`, creating it if needed and removing temp files an earlier crash left. */
  static async open(directory: string): Promise<FileStore> {
    if (typeof directory !== 'string' || directory.length === 0) {
      throw new StorageArgumentError(`directory: expected a non-empty path, got ${typeof directory}`);
    }
    const absolute = resolve(directory);
    await mkdir(absolute, { recursive: true, mode: 0o700 });
    await takeLock(absolute);
    // Only now: a temp file is a leftover only when no other process is writing here.
    const leftovers = (await readdir(absolute)).filter((name) => name.startsWith(TEMP_FILE_PREFIX));
    await Promise.all(leftovers.map((name) => rm(join(absolute, name), { force: true })));
    return new FileStore(absolute);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const path = this.#pathFor(key);
    return this.#lifecycle.run(() => readIfPresent(path));
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    const path = this.#pathFor(key);
    const copy = copyOfValue(value);
    return this.#write(key, () => this.#replace(path, copy));
  }

  async delete(key: string): Promise<boolean> {
    const path = this.#pathFor(key);
    return this.#write(key, async () => {
      try {
        await unlink(path);
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
      await syncDirectory(this.#directory);
      return true;
    });
  }

  async list(prefix: string): Promise<string[]> {
    checkPrefix(prefix);
    return this.#lifecycle.run(async () => {
      const keys = (await readdir(this.#directory)).map(keyForFileName);
      return keys.filter((key): key is string => key !== undefined && key.startsWith(prefix)).sort();
    });
  }

  async setIfAbsent(key: string, value: Uint8Array): Promise<boolean> {
    const path = this.#pathFor(key);
    const copy = copyOfValue(value);
    return this.#write(key, async () => {
      if (await exists(path)) return false;
      await this.#replace(path, copy);
      return true;
    });
  }

  async increment(key: string, by: number): Promise<number> {
    const path = this.#pathFor(key);
    checkIncrement(by);
    return this.#write(key, async () => {
      const next = incremented(key, await readIfPresent(path), by);
      await this.#replace(path, counterBytes(next));
      return next;
    });
  }

  /** Lets writes in flight finish, then releases the directory's lock. */
  close(): Promise<void> {
    return this.#lifecycle.close(() => releaseLock(this.#directory));
  }

  #pathFor(key: string): string {
    return join(this.#directory, fileNameForKey(checkKey(key)));
  }

  #write<T>(key: string, operation: () => Promise<T>): Promise<T> {
    return this.#lifecycle.run(() => this.#writesPerKey.run(key, operation));
  }

  async #replace(path: string, value: Uint8Array): Promise<void> {
    const temp = join(this.#directory, TEMP_FILE_PREFIX + randomBytes(8).toString('hex'));
    try {
      const file = await open(temp, 'wx', 0o600);
      try {
        await file.writeFile(value);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await syncDirectory(this.#directory);
  }
}

async function readIfPresent(path: string): Promise<Uint8Array | undefined> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

/** Makes a rename or unlink in the directory durable: without it a power cut can undo it. */
async function syncDirectory(directory: string): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT';

interface LockHolder {
  pid: number;
  host: string;
}

const lockContent = (): string => `${process.pid} ${hostname()}\n`;

function parseLock(text: string): LockHolder | undefined {
  const match = /^(\d+) (\S+)\n?$/.exec(text);
  return match ? { pid: Number(match[1]), host: match[2]! } : undefined;
}

/** Whether the holder may still be running: a process on another host, or one that exists here. */
function alive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}

async function takeLock(directory: string): Promise<void> {
  const path = join(directory, LOCK_FILE);
  for (let attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
    try {
      const file = await open(path, 'wx', 0o600);
      try {
        await file.writeFile(lockContent());
        await file.sync();
      } finally {
        await file.close();
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = await readFile(path, 'utf8').catch((error: unknown) => (isMissing(error) ? undefined : Promise.reject(error)));
    if (text === undefined) continue; // released meanwhile
    // A lock cut short by a crash before its content was written has no holder: stale as well.
    const holder = parseLock(text) ?? { pid: 0, host: hostname() };
    if (holder.pid !== 0 && alive(holder)) throw new FileStoreLockedError(directory, holder);
    await removeStaleLock(path, text);
  }
  throw new FileStoreLockedError(directory, { pid: 0, host: hostname() });
}

/**
 * Removes the stale lock whose content is `stale`: moved aside first (one rename, atomic), then checked, so a
 * process that took the lock over in the meantime keeps it (moved back with link, which never overwrites).
 */
async function removeStaleLock(path: string, stale: string): Promise<void> {
  const aside = `${path}.${randomBytes(8).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  try {
    if ((await readFile(aside, 'utf8')) !== stale) await link(aside, path).catch(() => undefined);
  } finally {
    await rm(aside, { force: true });
  }
}

async function releaseLock(directory: string): Promise<void> {
  const path = join(directory, LOCK_FILE);
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === lockContent()) await rm(path, { force: true });
}
