// The storage backends in Node: the conformance suite for each, then what only FileStore and IndexedDbStore promise
// (reopening, temp files, file names, surviving SIGKILL mid-write). IndexedDB is fake-indexeddb's, in memory.
import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FileStore, FileStoreLockedError } from '../src/storage/file-store.js';
import { IndexedDbStore } from '../src/storage/indexeddb-store.js';
import { fileNameForKey } from '../src/storage/key-file-names.js';
import { MemoryStore } from '../src/storage/memory-store.js';
import { storeChecks } from './conformance/store-suite.js';
import { CRASH_KEY, isBefore, readCrashValue, type WriteId } from './storage-crash-value.js';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const CRASH_WRITER = fileURLToPath(new URL('./storage-crash-writer.ts', import.meta.url));

const root = await mkdtemp(join(tmpdir(), 'matter-sessions-storage-'));
after(() => rm(root, { recursive: true, force: true }));
let directories = 0;
const newDirectory = (): string => join(root, `store-${++directories}`);
let databases = 0;
// A database per store: idb-keyval caches its default store, and a fresh name gives every check an empty one.
const newIndexedDbStore = (): IndexedDbStore => new IndexedDbStore(`matter-sessions-test-${++databases}`, 'key-value');

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined => value && new TextDecoder().decode(value);
const tempFiles = async (directory: string): Promise<string[]> =>
  (await readdir(directory)).filter((name) => name.startsWith('.tmp-'));

describe('MemoryStore conformance', () => {
  for (const check of storeChecks(async () => new MemoryStore())) it(check.name, () => check.run());
});

describe('FileStore conformance', () => {
  for (const check of storeChecks(() => FileStore.open(newDirectory()))) it(check.name, () => check.run());
});

describe('IndexedDbStore conformance', () => {
  for (const check of storeChecks(async () => newIndexedDbStore())) it(check.name, () => check.run());
});

describe('FileStore', () => {
  it('a store reopened on the same directory sees every key and value', async () => {
    const directory = newDirectory();
    const first = await FileStore.open(directory);
    await first.set('fabric/1/session', bytes('one'));
    await first.set('日本語/キー', bytes('two'));
    await first.set('gone', bytes('three'));
    await first.delete('gone');
    await first.increment('counter', 41);
    await first.setIfAbsent('once', bytes('four'));
    await first.close();

    const second = await FileStore.open(directory);
    assert.deepEqual(await second.list(''), ['counter', 'fabric/1/session', 'once', '日本語/キー']);
    assert.equal(text(await second.get('fabric/1/session')), 'one');
    assert.equal(text(await second.get('日本語/キー')), 'two');
    assert.equal(await second.get('gone'), undefined);
    assert.equal(await second.increment('counter', 1), 42);
    assert.equal(await second.setIfAbsent('once', bytes('five')), false);
    await second.close();
  });

  it('ignores temp files and strays in list and get, and removes temp files on open', async () => {
    const directory = newDirectory();
    const store = await FileStore.open(directory);
    await store.set('k', bytes('value'));
    const strays = ['notes.txt', 'k-A', 'k-%2F', 'k-%61', 'k-', 'k-%ff', 'k-%'];
    const temps = ['.tmp-0123456789abcdef', `.tmp-${fileNameForKey('k')}`];
    for (const name of [...strays, ...temps]) await writeFile(join(directory, name), 'partial');
    assert.deepEqual(await store.list(''), ['k']);
    assert.equal(text(await store.get('k')), 'value');
    assert.equal(await store.get('a'), undefined);
    await store.close();

    const reopened = await FileStore.open(directory);
    assert.deepEqual(await tempFiles(directory), []);
    assert.deepEqual((await readdir(directory)).sort(), [...strays, fileNameForKey('k'), '.lock'].sort(), 'strays are not ours to remove; the lock is held');
    assert.equal(text(await reopened.get('k')), 'value');
    await reopened.close();
  });

  it('names files in lower-case ASCII, one per key, inside the directory, readable by the owner only', async () => {
    const directory = newDirectory();
    const store = await FileStore.open(directory);
    const keys = ['A', 'a', 'a/b', 'A/B', '..', '../outside', 'con', 'é', 'É', '\u{1F600}'];
    for (const key of keys) await store.set(key, bytes(key));
    const names = (await readdir(directory)).filter((name) => name !== '.lock');
    assert.equal(names.length, keys.length);
    for (const name of names) assert.match(name, /^k-([a-z0-9_-]|%[0-9a-f]{2})+$/);
    assert.equal(new Set(names.map((name) => name.toLowerCase())).size, keys.length, 'no two names differ only in case');
    assert.deepEqual((await readdir(root)).filter((name) => !name.startsWith('store-')), [], 'nothing written outside');
    if (process.platform !== 'win32') {
      assert.equal((await stat(join(directory, fileNameForKey('a')))).mode & 0o777, 0o600);
    }
    await store.close();
  });

  it('refuses a key whose file name would pass 255 characters, writing nothing', async () => {
    const store = await FileStore.open(newDirectory());
    await store.set('x'.repeat(253), bytes('fits'));
    await store.set('é'.repeat(42), bytes('fits'));
    for (const key of ['x'.repeat(254), 'é'.repeat(43)]) {
      await assert.rejects(store.set(key, bytes('too long')), { name: 'StorageArgumentError', message: /^key: .*255/ });
      await assert.rejects(store.increment(key, 1), { name: 'StorageArgumentError' });
    }
    assert.deepEqual(await store.list(''), ['x'.repeat(253), 'é'.repeat(42)].sort());
    await store.close();
  });

  it('a write that fails leaves no temp file behind and the other keys as they were', async () => {
    const directory = newDirectory();
    const store = await FileStore.open(directory);
    await store.set('other', bytes('kept'));
    await mkdir(join(directory, fileNameForKey('blocked')));
    await assert.rejects(store.set('blocked', bytes('cannot replace a directory')));
    assert.deepEqual(await tempFiles(directory), []);
    assert.equal(text(await store.get('other')), 'kept');
    await store.close();
  });

  it('open refuses an empty directory path', async () => {
    await assert.rejects(FileStore.open(''), { name: 'StorageArgumentError', message: /^directory:/ });
  });

  it('a SIGKILL at random moments leaves one whole value, never torn, never missing once written', async (t) => {
    const directory = newDirectory();
    const rounds = 20;
    let acknowledged: WriteId | undefined;
    let acknowledgedWrites = 0;
    let killedMidWrite = 0;
    for (let round = 0; round < rounds; round++) {
      const delay = Math.floor(Math.random() * 250);
      const child = spawn(process.execPath, ['--import', 'tsx', CRASH_WRITER, directory, String(round)], {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_, signal) => resolve(signal)));
      let ready!: () => void;
      const isReady = new Promise<void>((resolve) => (ready = resolve));
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line === 'ready') ready();
        const written = /^written (\d+)$/.exec(line);
        if (written) {
          acknowledged = { round, write: Number(written[1]) };
          acknowledgedWrites++;
        }
      });
      const started = await Promise.race([isReady.then(() => true), exited.then(() => false)]);
      assert.ok(started, `round ${round}: the writer exited before it was ready: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL', `round ${round}: the writer ended on its own: ${stderr}`);

      if ((await tempFiles(directory)).length > 0) killedMidWrite++;
      const store = await FileStore.open(directory);
      const stored = await store.get(CRASH_KEY);
      await store.close();
      const where = `round ${round}, killed ${delay} ms after ready, last acknowledged ${JSON.stringify(acknowledged)}`;
      if (stored === undefined) {
        assert.equal(acknowledged, undefined, `${where}: the value is missing`);
        continue;
      }
      const written = readCrashValue(stored);
      if (typeof written === 'string') assert.fail(`${where}: the value is ${written}`);
      assert.ok(written.round <= round, `${where}: the value claims a later round: ${JSON.stringify(written)}`);
      if (acknowledged) {
        assert.ok(!isBefore(written, acknowledged), `${where}: older than an acknowledged write: ${JSON.stringify(written)}`);
      }
      assert.deepEqual(await tempFiles(directory), [], `${where}: open left temp files`);
    }
    t.diagnostic(`${rounds} kills, ${killedMidWrite} with a write in progress (temp file left), ${acknowledgedWrites} writes acknowledged`);
    assert.ok(acknowledged, 'no write completed in any round: the test proved nothing');
  });
});

describe('FileStore lock', () => {
  const fileStoreModule = fileURLToPath(new URL('../src/storage/file-store.ts', import.meta.url));
  /** A process holding a FileStore on `directory`: resolves once it has opened it. */
  async function holder(directory: string) {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e',
      `const { FileStore } = await import(${JSON.stringify(fileStoreModule)}); await FileStore.open(${JSON.stringify(directory)});`
      + ` console.log('open'); setInterval(() => {}, 1 << 30);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', () => resolve());
      child.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
    });
    return child;
  }
  const killed = (child: ReturnType<typeof spawn>) => new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

  it('a second process is refused with FileStoreLockedError naming the directory and the holder; nothing changes', async () => {
    const directory = newDirectory();
    const child = await holder(directory);
    try {
      const lock = await readFile(join(directory, '.lock'), 'utf8');
      await writeFile(join(directory, '.tmp-left-by-the-holder'), 'in flight');
      const error = await FileStore.open(directory).then(() => assert.fail('opened a locked directory'), (e: unknown) => e);
      assert.ok(error instanceof FileStoreLockedError, String(error));
      assert.equal(error.name, 'FileStoreLockedError');
      assert.equal(error.directory, directory);
      assert.deepEqual(error.holder, { pid: child.pid, host: hostname() });
      assert.ok(error.message.includes(directory) && error.message.includes(String(child.pid)), error.message);
      assert.equal(await readFile(join(directory, '.lock'), 'utf8'), lock, 'the holder keeps its lock');
      assert.ok((await readdir(directory)).includes('.tmp-left-by-the-holder'), 'the holder\'s temp files are not touched');
    } finally {
      await killed(child);
    }
  });

  it('a stale lock (its process killed, or cut short) is taken over; close releases it; a second open here is refused', async () => {
    const directory = newDirectory();
    const child = await holder(directory);
    await killed(child);
    const store = await FileStore.open(directory);
    assert.equal(await readFile(join(directory, '.lock'), 'utf8'), `${process.pid} ${hostname()}\n`);
    await assert.rejects(FileStore.open(directory), (e: unknown) => e instanceof FileStoreLockedError && e.holder.pid === process.pid);
    await store.set('k', bytes('v'));
    await store.close();
    assert.equal((await readdir(directory)).includes('.lock'), false, 'released on close');
    await writeFile(join(directory, '.lock'), ''); // a crash between creating the lock and writing it
    const again = await FileStore.open(directory);
    assert.equal(text(await again.get('k')), 'v');
    await again.close();
  });

  it('a lock from another host counts as held', async () => {
    const directory = newDirectory();
    await mkdir(directory, { recursive: true });
    await writeFile(join(directory, '.lock'), `1 elsewhere.example\n`);
    await assert.rejects(FileStore.open(directory), (e: unknown) => e instanceof FileStoreLockedError
      && e.holder.host === 'elsewhere.example' && /on elsewhere\.example/.test(e.message));
  });
});

describe('IndexedDbStore', () => {
  it('a second store on the same database sees the values', async () => {
    const name = `matter-sessions-reopen-${++databases}`;
    const first = new IndexedDbStore(name, 'key-value');
    await first.set('a/b', bytes('one'));
    await first.increment('counter', 3);
    await first.close();
    const second = new IndexedDbStore(name, 'key-value');
    assert.deepEqual(await second.list(''), ['a/b', 'counter']);
    assert.equal(text(await second.get('a/b')), 'one');
    assert.equal(await second.increment('counter', 1), 4);
    await second.close();
  });

  it('the constructor refuses empty database and store names', () => {
    assert.throws(() => new IndexedDbStore(''), { name: 'StorageArgumentError', message: /^databaseName:/ });
    assert.throws(() => new IndexedDbStore('db', ''), { name: 'StorageArgumentError', message: /^storeName:/ });
  });
});
