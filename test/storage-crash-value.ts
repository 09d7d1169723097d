// The values the crash test writes: [round u32][write u32][payload][SHA-256 of all before it], so a reader can tell
// a whole value from a torn one and which write it came from.
import { createHash, randomBytes } from 'node:crypto';

export const CRASH_KEY = 'crash/value';
const PAYLOAD_LENGTH = 4 << 20;
const HEADER_LENGTH = 8;
const DIGEST_LENGTH = 32;

export interface WriteId { round: number; write: number }

export function crashValue(id: WriteId): Uint8Array {
  const value = new Uint8Array(HEADER_LENGTH + PAYLOAD_LENGTH + DIGEST_LENGTH);
  const view = new DataView(value.buffer);
  view.setUint32(0, id.round);
  view.setUint32(4, id.write);
  value.set(randomBytes(PAYLOAD_LENGTH), HEADER_LENGTH);
  value.set(sha256(value.subarray(0, -DIGEST_LENGTH)), value.length - DIGEST_LENGTH);
  return value;
}

/** The write a stored value came from, or a description of what is wrong with it. */
export function readCrashValue(value: Uint8Array): WriteId | string {
  if (value.length !== HEADER_LENGTH + PAYLOAD_LENGTH + DIGEST_LENGTH) return `torn: ${value.length} bytes`;
  const digest = sha256(value.subarray(0, -DIGEST_LENGTH));
  if (Buffer.compare(digest, value.subarray(-DIGEST_LENGTH)) !== 0) return 'corrupt: the checksum does not match';
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  return { round: view.getUint32(0), write: view.getUint32(4) };
}

export const isBefore = (a: WriteId, b: WriteId): boolean => a.round < b.round || (a.round === b.round && a.write < b.write);

const sha256 = (bytes: Uint8Array): Buffer => createHash('sha256').update(bytes).digest();
