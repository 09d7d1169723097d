// FileStore's file names. Lower-case ASCII letters, digits, '-' and '_' stand for themselves and every other UTF-8 byte
// of the key is written %xx, so:
// - names are plain ASCII: no separators, no '..', nothing for macOS to normalise;
// - upper case is escaped too, so case-insensitive file systems (macOS, Windows) never merge 'A' and 'a';
// - the 'k-' prefix keeps clear of Windows' reserved names (CON, NUL...) and of the temp files' '.tmp-';
// - the mapping is reversible, so list() reads the keys back from the directory.
import { StorageArgumentError } from './key-value-store.js';

const VALUE_FILE_PREFIX = 'k-';
export const TEMP_FILE_PREFIX = '.tmp-';
/** The common limit: ext4, APFS, NTFS and the rest allow 255 characters per name. */
const MAX_FILE_NAME_LENGTH = 255;

const encoder = new TextEncoder();

export function fileNameForKey(key: string): string {
  let name = VALUE_FILE_PREFIX;
  for (const byte of encoder.encode(key)) {
    name += isLiteral(byte) ? String.fromCharCode(byte) : `%${byte.toString(16).padStart(2, '0')}`;
  }
  if (name.length > MAX_FILE_NAME_LENGTH) {
    throw new StorageArgumentError(
      `key: ${JSON.stringify(key)} escapes to a ${name.length}-character file name, over FileStore's limit of ${MAX_FILE_NAME_LENGTH}`,
    );
  }
  return name;
}

/** The key a directory entry holds, or undefined for anything that is not a value file (temp files, strays). */
export function keyForFileName(name: string): string | undefined {
  if (!name.startsWith(VALUE_FILE_PREFIX)) return undefined;
  let key: string;
  try {
    key = decodeURIComponent(name.slice(VALUE_FILE_PREFIX.length));
  } catch {
    return undefined;
  }
  // Only the one name fileNameForKey gives a key counts, so no two files can claim the same key.
  return key.length > 0 && isCanonical(key, name) ? key : undefined;
}

function isCanonical(key: string, name: string): boolean {
  try {
    return fileNameForKey(key) === name;
  } catch {
    return false;
  }
}

const isLiteral = (byte: number): boolean =>
  (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x2d || byte === 0x5f;
