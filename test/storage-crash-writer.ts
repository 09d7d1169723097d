// The crash test's child process (storage.test.ts): `node --import tsx test/storage-crash-writer.ts <dir> <round>`
// writes a new 4 MiB value to one key of a FileStore in <dir>, over and over until it is killed. It prints "ready"
// once the store is open and "written <n>" after each write completes.
import { FileStore } from '../src/storage/file-store.js';
import { CRASH_KEY, crashValue } from './storage-crash-value.js';

const [directory, round] = process.argv.slice(2);
if (directory === undefined || round === undefined) throw new Error('usage: storage-crash-writer.ts <dir> <round>');

const store = await FileStore.open(directory);
process.stdout.write('ready\n');
for (let write = 0; ; write++) {
  await store.set(CRASH_KEY, crashValue({ round: Number(round), write }));
  process.stdout.write(`written ${write}\n`);
}
