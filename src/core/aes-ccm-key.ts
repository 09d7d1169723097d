// AES-128-CCM with an expanded key held in a slot inside the wasm module. A session expands each key once; the
// slot is wiped when the key is disposed (or, as a backstop, when the key object is garbage-collected).
import * as check from './arguments.js';
import { AuthenticationError } from './errors.js';
import { resultBytes } from './result-pool.js';
import { core, memoryBytes, scratch } from './wasm-module.js';

const released = new FinalizationRegistry<number>((slot) => core().keySlotRelease(slot));

const align16 = (n: number): number => (n + 15) & ~15;

/**
 * Copies a message into scratch as the core expects it: nonce at the base, AAD at base + 16, data after the AAD
 * (16-byte aligned) with room for `extra` bytes (the tag) and a block of slack. Returns the base.
 */
function stage(nonce: Uint8Array, aad: Uint8Array, data: Uint8Array, extra: number): number {
  const base = scratch(16 + align16(aad.length) + data.length + extra + 16);
  const heap = memoryBytes();
  heap.set(nonce, base);
  heap.set(aad, base + 16);
  heap.set(data, base + 16 + align16(aad.length));
  return base;
}

function copyOut(at: number, length: number): Uint8Array {
  const result = resultBytes(length);
  result.set(memoryBytes().subarray(at, at + length));
  return result;
}

export class AesCcmKey {
  #slot: number;

  /** Expands a 16-byte AES-128 key into a slot of the core. Requires `await ready()`. */
  constructor(key: Uint8Array) {
    check.bytesOfLength('key', key, 16);
    const at = scratch(16);
    memoryBytes().set(key, at);
    this.#slot = core().keySlotCreate(at); // wipes the copy in scratch
    released.register(this, this.#slot, this);
  }

  get disposed(): boolean {
    return this.#slot === 0;
  }

  /** Wipes the expanded key inside the core. The key cannot be used afterwards. */
  dispose(): void {
    if (this.#slot === 0) return;
    released.unregister(this);
    core().keySlotRelease(this.#slot);
    this.#slot = 0;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #keys(): number {
    if (this.#slot === 0) throw new Error('AesCcmKey: the key was disposed');
    return this.#slot;
  }

  /** Encrypts and authenticates; returns ciphertext || tag. */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array, tagLength = 16): Uint8Array {
    const [at, length] = this.#seal(nonce, plaintext, aad, tagLength, undefined);
    return copyOut(at, length);
  }

  /** As seal, writing ciphertext || tag into `output`; returns the number of bytes written. Allocates nothing. */
  sealInto(output: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array, tagLength = 16): number {
    const [at, length] = this.#seal(nonce, plaintext, aad, tagLength, output);
    output.set(memoryBytes().subarray(at, at + length));
    return length;
  }

  /** Validates, then seals inside scratch memory; returns where the result is and its length. */
  #seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array | undefined, tagLength: number,
    output: Uint8Array | undefined): [number, number] {
    const n = check.nonce(nonce);
    const p = check.bytes('plaintext', plaintext);
    const a = check.optionalBytes('aad', aad);
    const t = check.tagLength(tagLength);
    check.payloadFits('plaintext', p.length, n.length);
    if (output !== undefined) check.output(output, p.length + t);
    const keys = this.#keys();

    const base = stage(n, a, p, t);
    const aadAt = base + 16, dataAt = aadAt + align16(a.length);
    core().ccmSeal(keys, base, n.length, aadAt, a.length, dataAt, p.length, dataAt, t);
    return [dataAt, p.length + t];
  }

  /** Checks the tag and decrypts; throws AuthenticationError (and reveals nothing) when it does not match. */
  open(nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array, tagLength = 16): Uint8Array {
    const [at, length] = this.#open(nonce, sealed, aad, tagLength, undefined);
    return copyOut(at, length);
  }

  /** As open, writing the plaintext into `output`; returns its length. Allocates nothing. */
  openInto(output: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array, tagLength = 16): number {
    const [at, length] = this.#open(nonce, sealed, aad, tagLength, output);
    output.set(memoryBytes().subarray(at, at + length));
    return length;
  }

  /** Validates, then opens inside scratch memory (the core wipes the plaintext there if the tag is wrong). */
  #open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array | undefined, tagLength: number,
    output: Uint8Array | undefined): [number, number] {
    const n = check.nonce(nonce);
    const s = check.bytes('sealed', sealed);
    const a = check.optionalBytes('aad', aad);
    const t = check.tagLength(tagLength);
    if (s.length < t) throw new RangeError(`sealed: expected at least ${t} bytes (the tag), got ${s.length}`);
    const length = s.length - t;
    check.payloadFits('sealed', length, n.length);
    if (output !== undefined) check.output(output, length);
    const keys = this.#keys();

    const base = stage(n, a, s, 0);
    const aadAt = base + 16, dataAt = aadAt + align16(a.length);
    if (core().ccmOpen(keys, base, n.length, aadAt, a.length, dataAt, length, dataAt, dataAt + length, t) !== 1) {
      throw new AuthenticationError();
    }
    return [dataAt, length];
  }

  /**
   * Seals a message in place, the layout Matter uses: `message[0, aadLength)` is the AAD (the header) and the
   * `plaintextLength` bytes after it are encrypted where they are, the tag written right after them. `message`
   * must have room for the tag. Returns the sealed message's length. One copy into the core, one back.
   */
  sealInPlace(message: Uint8Array, aadLength: number, plaintextLength: number, nonce: Uint8Array, tagLength = 16): number {
    return sealInPlaceWith(this.#keys(), message, aadLength, plaintextLength, nonce, tagLength);
  }

  /**
   * Opens a message in place: `message[0, aadLength)` is the AAD and the rest is ciphertext || tag. On success the
   * plaintext replaces the ciphertext and its length is returned; on failure AuthenticationError is thrown and
   * `message` is untouched. `messageLength` limits the message to `message[0, messageLength)`.
   */
  openInPlace(message: Uint8Array, aadLength: number, nonce: Uint8Array, tagLength = 16, messageLength?: number): number {
    return openInPlaceWith(this.#keys(), message, aadLength, nonce, tagLength, messageLength);
  }

  /**
   * XORs `data` with the AES-CTR keystream in CCM's counter-block format: blocks (q - 1) | nonce | counter,
   * counter from `initialCounter` (Matter privacy obfuscation: 13-byte nonce, counter from 1).
   */
  ctrXor(nonce: Uint8Array, data: Uint8Array, initialCounter = 1): Uint8Array {
    const output = new Uint8Array(check.bytes('data', data).length);
    this.ctrXorInto(output, nonce, data, initialCounter);
    return output;
  }

  ctrXorInto(output: Uint8Array, nonce: Uint8Array, data: Uint8Array, initialCounter = 1): number {
    const n = check.nonce(nonce);
    const d = check.bytes('data', data);
    const counter = check.uint32('initialCounter', initialCounter);
    check.output(output, d.length);
    const keys = this.#keys();

    const base = scratch(16 + d.length + 16);
    const heap = memoryBytes();
    heap.set(n, base);
    heap.set(d, base + 16);
    core().ctrXor(keys, base, n.length, base + 16, d.length, base + 16, counter);
    output.set(heap.subarray(base + 16, base + 16 + d.length));
    return d.length;
  }
}

/**
 * AesCcmKey.sealInPlace with the expanded key at `slot` (also CcmKeyPair's): `message[0, aadLength)` is the AAD, the
 * `plaintextLength` bytes after it are encrypted in place and the tag written right after them, so the message may
 * sit at the start of a larger buffer. Returns the sealed length. Validates before touching anything; allocates
 * nothing (the copies go word by word, see copyToHeap). `name` is the argument's name in errors.
 */
export function sealInPlaceWith(slot: number, message: Uint8Array, aadLength: number, plaintextLength: number,
  nonce: Uint8Array, tagLength: number, name = 'message'): number {
  const m = check.bytes(name, message);
  const n = check.nonce(nonce);
  const t = check.tagLength(tagLength);
  check.lengthWithin('aadLength', aadLength, m.length);
  check.lengthWithin('plaintextLength', plaintextLength, m.length - aadLength);
  check.payloadFits('plaintextLength', plaintextLength, n.length);
  const total = aadLength + plaintextLength + t;
  if (total > m.length) throw new RangeError(`${name}: expected room for the ${t}-byte tag: ${total} bytes, got ${m.length}`);

  const base = scratch(16 + total + 16);
  const heap = memoryBytes();
  heap.set(n, base);
  // A whole array goes in with set() (no view); a prefix word by word.
  if (m.length === total) heap.set(m, base + 16);
  else copyToHeap(m, 0, heap, base + 16, aadLength + plaintextLength);
  const dataAt = base + 16 + aadLength;
  core().ccmSeal(slot, base, n.length, base + 16, aadLength, dataAt, plaintextLength, dataAt, t);
  copyFromHeap(heap, dataAt, m, aadLength, plaintextLength + t);
  return total;
}

// A whole array is copied with set() and no view; a part needs a subarray view (a small allocation, which V8
// makes cheaply: byte loops to avoid it measured slower on the session round trip than the view).
function copyBytes(from: Uint8Array, fromAt: number, to: Uint8Array, toAt: number, length: number): void {
  if (fromAt === 0 && length === from.length) to.set(from, toAt);
  else to.set(from.subarray(fromAt, fromAt + length), toAt);
}

/**
 * AesCcmKey.openInPlace with the expanded key at `slot` (also CcmKeyPair's); the message is
 * `message[0, messageLength)` (all of it by default), so a reusable buffer needs no view.
 */
export function openInPlaceWith(slot: number, message: Uint8Array, aadLength: number, nonce: Uint8Array,
  tagLength: number, messageLength?: number): number {
  const m = check.bytes('message', message);
  const n = check.nonce(nonce);
  const t = check.tagLength(tagLength);
  const used = messageLength === undefined ? m.length : messageLength;
  if (messageLength !== undefined) check.lengthWithin('messageLength', messageLength, m.length);
  check.lengthWithin('aadLength', aadLength, used - t);
  const length = used - aadLength - t;
  check.payloadFits('message', length, n.length);

  const base = scratch(16 + used + 16);
  const heap = memoryBytes();
  heap.set(n, base);
  copyBytes(m, 0, heap, base + 16, used);
  const dataAt = base + 16 + aadLength;
  if (core().ccmOpen(slot, base, n.length, base + 16, aadLength, dataAt, length, dataAt, dataAt + length, t) !== 1) {
    throw new AuthenticationError();
  }
  copyBytes(heap, dataAt, m, aadLength, length);
  return length;
}

function withKey<T>(key: Uint8Array, use: (k: AesCcmKey) => T): T {
  const k = new AesCcmKey(key);
  try {
    return use(k);
  } finally {
    k.dispose();
  }
}

/** One-shot AES-128-CCM encryption: returns ciphertext || tag. */
export function seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array, tagLength = 16):
  Uint8Array {
  return withKey(key, (k) => k.seal(nonce, plaintext, aad, tagLength));
}

/** One-shot AES-128-CCM decryption: returns the plaintext or throws AuthenticationError. */
export function open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array, tagLength = 16):
  Uint8Array {
  return withKey(key, (k) => k.open(nonce, sealed, aad, tagLength));
}

/** One-shot AES-CTR in CCM's counter-block format. */
export function ctrXor(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, initialCounter = 1): Uint8Array {
  return withKey(key, (k) => k.ctrXor(nonce, data, initialCounter));
}

/** Expanded keys currently held by the core (for leak checks). */
export function liveKeySlots(): number {
  return core().keySlotsLive();
}

// ---- the allocation-free variants of the session hot path ------------------------------------------------------
// The in-place functions above copy part of an array through a subarray view, one small allocation per call. The
// session layer's encodeInto/decodeInto promise no allocation per message, so these copy parts index by index
// (messages are tens to hundreds of bytes) and copy whole arrays with set(), which needs no view.

// Whole 32-bit words are copied through Int32Array views when both ends are 4-byte aligned (scratch is, and so are
// a caller's buffers made with new Uint8Array, and the result pool's views): four times fewer steps than bytes.
// The views are kept: one over the core's memory, and a small cache for callers' arrays keyed by the Uint8Array
// (then by its ArrayBuffer, so the result pool's many views share one), so a loop that reuses its arrays makes
// none per message. The cache keeps at most 8 arrays alive after their last use.
const WORD_VIEWS = 8;
type Words = Int32Array<ArrayBufferLike>;
const NO_WORDS: Words = new Int32Array(0);
const cachedArrays: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(WORD_VIEWS).fill(undefined);
const cachedBuffers: Array<ArrayBufferLike | undefined> = new Array<ArrayBufferLike | undefined>(WORD_VIEWS).fill(undefined);
const cachedViews: Words[] = new Array<Words>(WORD_VIEWS).fill(NO_WORDS);
/** The array's first word in its view, or -1 when it does not start on a word boundary. */
const cachedOffsets: number[] = new Array<number>(WORD_VIEWS).fill(-1);
let nextCached = 0;
let heapBytes: Uint8Array | undefined;
let heapWords: Words = NO_WORDS;
/** Set by wordsOf: where `bytes` starts in the view it returned (-1: not word-aligned). */
let wordOffset = 0;

/** Words over the core's memory, renewed after it grew (the old view's buffer is detached). */
function heapWordsOf(heap: Uint8Array): Words {
  if (heap !== heapBytes) {
    heapBytes = heap;
    heapWords = new Int32Array(heap.buffer, 0, heap.length >> 2);
  }
  return heapWords;
}

/** Words over a caller's array's buffer; `wordOffset` is set to where the array starts in them. */
function wordsOf(bytes: Uint8Array): Words {
  for (let i = 0; i < WORD_VIEWS; i++) {
    if (cachedArrays[i] === bytes) {
      wordOffset = cachedOffsets[i]!;
      return cachedViews[i]!;
    }
  }
  const buffer = bytes.buffer;
  let view: Words | undefined;
  for (let i = 0; i < WORD_VIEWS; i++) {
    if (cachedBuffers[i] === buffer && cachedViews[i]!.length === buffer.byteLength >> 2) view = cachedViews[i];
  }
  view ??= new Int32Array(buffer, 0, buffer.byteLength >> 2);
  wordOffset = (bytes.byteOffset & 3) === 0 ? bytes.byteOffset >> 2 : -1;
  cachedArrays[nextCached] = bytes;
  cachedBuffers[nextCached] = buffer;
  cachedViews[nextCached] = view;
  cachedOffsets[nextCached] = wordOffset;
  nextCached = (nextCached + 1) % WORD_VIEWS;
  return view;
}

/** `from[fromAt, + length)` into the core's memory at `heapAt`. */
function copyToHeap(from: Uint8Array, fromAt: number, heap: Uint8Array, heapAt: number, length: number): void {
  let i = 0;
  if (length >= 16 && ((fromAt | heapAt) & 3) === 0) {
    const from32 = wordsOf(from), fromWord = wordOffset + (fromAt >> 2), words = length >> 2;
    // A view of a buffer since detached or shrunk is shorter than the range: then bytes only.
    if (wordOffset >= 0 && fromWord + words <= from32.length) {
      const heap32 = heapWordsOf(heap), heapWord = heapAt >> 2;
      for (let w = 0; w < words; w++) heap32[heapWord + w] = from32[fromWord + w]!;
      i = words << 2;
    }
  }
  for (; i < length; i++) heap[heapAt + i] = from[fromAt + i]!;
}

/** The core's memory at `heapAt` into `to[toAt, + length)`. */
function copyFromHeap(heap: Uint8Array, heapAt: number, to: Uint8Array, toAt: number, length: number): void {
  let i = 0;
  if (length >= 16 && ((toAt | heapAt) & 3) === 0) {
    const to32 = wordsOf(to), toWord = wordOffset + (toAt >> 2), words = length >> 2;
    if (wordOffset >= 0 && toWord + words <= to32.length) {
      const heap32 = heapWordsOf(heap), heapWord = heapAt >> 2;
      for (let w = 0; w < words; w++) to32[toWord + w] = heap32[heapWord + w]!;
      i = words << 2;
    }
  }
  for (; i < length; i++) to[toAt + i] = heap[heapAt + i]!;
}

/** sealInPlaceWith for a message at the start of a caller's larger buffer (the session's encodeInto). */
export function sealPrefixWith(slot: number, buffer: Uint8Array, aadLength: number, plaintextLength: number,
  nonce: Uint8Array, tagLength: number): number {
  return sealInPlaceWith(slot, buffer, aadLength, plaintextLength, nonce, tagLength, 'buffer');
}

/**
 * Opens `message[0, messageLength)` (AAD `[0, aadLength)`, then ciphertext || tag) and writes the plaintext to
 * `output` at `outputAt`; returns its length. `message` is never modified, and neither is `output` when the tag is
 * wrong (AuthenticationError). Validates before touching anything; allocates nothing on success.
 */
export function openIntoWith(slot: number, message: Uint8Array, messageLength: number, aadLength: number,
  nonce: Uint8Array, tagLength: number, output: Uint8Array, outputAt: number): number {
  const m = check.bytes('message', message);
  const n = check.nonce(nonce);
  const t = check.tagLength(tagLength);
  check.lengthWithin('messageLength', messageLength, m.length);
  check.lengthWithin('aadLength', aadLength, messageLength - t);
  const length = messageLength - aadLength - t;
  check.payloadFits('message', length, n.length);
  const o = check.bytes('output', output);
  check.lengthWithin('outputAt', outputAt, o.length - length);

  const base = scratch(16 + messageLength + 16);
  const heap = memoryBytes();
  heap.set(n, base);
  if (messageLength === m.length) heap.set(m, base + 16);
  else copyToHeap(m, 0, heap, base + 16, messageLength);
  const dataAt = base + 16 + aadLength;
  if (core().ccmOpen(slot, base, n.length, base + 16, aadLength, dataAt, length, dataAt, dataAt + length, t) !== 1) {
    throw new AuthenticationError();
  }
  copyFromHeap(heap, dataAt, o, outputAt, length);
  return length;
}
