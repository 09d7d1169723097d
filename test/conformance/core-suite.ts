// The core's conformance suite. It has no imports at run time: the library and the data come in as arguments, so
// the same compiled file runs unchanged in Node, Deno, Bun, workerd and Chromium (test/runtimes.test.ts).
import type * as Library from '../../src/index.js';
import { type Check, equal, equalBytes, fail, hex, throwsNamed, toHex } from './check.js';
export type { Check } from './check.js';

export interface CcmVector {
  name: string; key: string; nonce: string; aad: string; plaintext: string; ciphertext: string; tag: string;
  tagLength: number; shouldFail: boolean; payload?: string;
}
/** A case whose expected output node:crypto computed at test time (long AAD, maximum payloads...). */
export interface OracleCase {
  name: string; key: string; nonce: string; tagLength: number; aadLength: number; plaintextLength: number;
  seed: number; sealed: string;
}
export interface SuiteData { ccmVectors: CcmVector[]; oracleCases: OracleCase[] }
export interface SuiteReport { runtime: string; passed: number; failed: number; failures: string[] }


/** Deterministic bytes from a seed (xorshift32), so every runtime builds the same oracle inputs. */
export function seededBytes(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

function ccmChecks(lib: typeof Library, data: SuiteData): Check[] {
  const checks: Check[] = data.ccmVectors.map((v) => ({
    name: `ccm vector ${v.name}`,
    run() {
      const [key, nonce, aad, pt] = [hex(v.key), hex(v.nonce), hex(v.aad), hex(v.plaintext)];
      const sealed = hex(v.ciphertext + v.tag);
      if (v.shouldFail) {
        throwsNamed(() => lib.open(key, nonce, sealed, aad, v.tagLength), 'AuthenticationError', 'tag', 'open');
        return;
      }
      equalBytes(lib.seal(key, nonce, pt, aad, v.tagLength), sealed, 'seal');
      equalBytes(lib.open(key, nonce, sealed, aad, v.tagLength), pt, 'open');
      if (v.payload) equalBytes(hex(v.payload), hex(v.nonce + v.ciphertext + v.tag), 'payload = nonce | ct | tag');
      // Any altered bit of ciphertext or tag must fail authentication.
      for (const position of [0, sealed.length - 1]) {
        const altered = sealed.slice();
        altered[position]! ^= 0x01;
        throwsNamed(() => lib.open(key, nonce, altered, aad, v.tagLength), 'AuthenticationError', 'tag', `altered byte ${position}`);
      }
    },
  }));
  checks.push(...data.oracleCases.map((c) => ({
    name: `ccm oracle ${c.name}`,
    run() {
      const aad = seededBytes(c.seed, c.aadLength);
      const pt = seededBytes(c.seed + 1, c.plaintextLength);
      const key = new lib.AesCcmKey(hex(c.key));
      try {
        const sealed = key.seal(hex(c.nonce), pt, aad, c.tagLength);
        equalBytes(sealed, hex(c.sealed), 'seal');
        equalBytes(key.open(hex(c.nonce), sealed, aad, c.tagLength), pt, 'open');
      } finally {
        key.dispose();
      }
    },
  })));
  return checks;
}

function argumentChecks(lib: typeof Library): Check[] {
  const key = new Uint8Array(16), nonce = new Uint8Array(13), pt = new Uint8Array(4);
  return [
    { name: 'key of 15 bytes is a RangeError naming key', run: () => throwsNamed(() => lib.seal(new Uint8Array(15), nonce, pt), 'RangeError', 'key', 'seal') },
    { name: 'key as a string is a TypeError naming key', run: () => throwsNamed(() => lib.seal('k' as never, nonce, pt), 'TypeError', 'key', 'seal') },
    { name: 'nonce of 14 bytes is a RangeError naming nonce', run: () => throwsNamed(() => lib.seal(key, new Uint8Array(14), pt), 'RangeError', 'nonce', 'seal') },
    { name: 'nonce of 6 bytes is a RangeError naming nonce', run: () => throwsNamed(() => lib.seal(key, new Uint8Array(6), pt), 'RangeError', 'nonce', 'seal') },
    { name: 'odd tag length is a RangeError naming tagLength', run: () => throwsNamed(() => lib.seal(key, nonce, pt, undefined, 5), 'RangeError', 'tagLength', 'seal') },
    { name: 'tag length 18 is a RangeError naming tagLength', run: () => throwsNamed(() => lib.seal(key, nonce, pt, undefined, 18), 'RangeError', 'tagLength', 'seal') },
    { name: 'plaintext as an array is a TypeError naming plaintext', run: () => throwsNamed(() => lib.seal(key, nonce, [1, 2] as never), 'TypeError', 'plaintext', 'seal') },
    { name: 'aad as a number is a TypeError naming aad', run: () => throwsNamed(() => lib.seal(key, nonce, pt, 7 as never), 'TypeError', 'aad', 'seal') },
    { name: '13-byte nonce refuses 65536 bytes of plaintext', run: () => throwsNamed(() => lib.seal(key, nonce, new Uint8Array(65536)), 'RangeError', '65535', 'seal') },
    { name: 'sealed shorter than the tag is a RangeError naming sealed', run: () => throwsNamed(() => lib.open(key, nonce, new Uint8Array(15)), 'RangeError', 'sealed', 'open') },
    {
      name: 'sealInto with a short output is a RangeError naming output',
      run() {
        const k = new lib.AesCcmKey(key);
        try { throwsNamed(() => k.sealInto(new Uint8Array(19), nonce, pt), 'RangeError', 'output', 'sealInto'); } finally { k.dispose(); }
      },
    },
    {
      name: 'a disposed key refuses to work and its slot is wiped and returned',
      run() {
        const before = lib.liveKeySlots();
        const k = new lib.AesCcmKey(key);
        equal(lib.liveKeySlots(), before + 1, 'live slots after create');
        k.dispose();
        equal(lib.liveKeySlots(), before, 'live slots after dispose');
        equal(k.disposed, true, 'disposed');
        throwsNamed(() => k.seal(nonce, pt), 'Error', 'disposed', 'seal after dispose');
      },
    },
    {
      name: 'seal/open into caller buffers round-trip and match one-shot seal',
      run() {
        const k = new lib.AesCcmKey(hex('000102030405060708090a0b0c0d0e0f'));
        try {
          const message = seededBytes(7, 100), aad = seededBytes(8, 24);
          const out = new Uint8Array(116), back = new Uint8Array(100);
          equal(k.sealInto(out, nonce, message, aad), 116, 'sealInto length');
          equalBytes(out, lib.seal(hex('000102030405060708090a0b0c0d0e0f'), nonce, message, aad), 'sealInto = seal');
          equal(k.openInto(back, nonce, out, aad), 100, 'openInto length');
          equalBytes(back, message, 'openInto');
        } finally { k.dispose(); }
      },
    },
    {
      name: 'sealInPlace/openInPlace equal seal/open with the leading bytes as AAD, and a failed open changes nothing',
      run() {
        const k = new lib.AesCcmKey(key);
        try {
          const header = seededBytes(21, 24), payload = seededBytes(22, 70);
          const message = new Uint8Array(24 + 70 + 16);
          message.set(header); message.set(payload, 24);
          equal(k.sealInPlace(message, 24, 70, nonce), 110, 'sealInPlace length');
          equalBytes(message.subarray(0, 24), header, 'header untouched');
          equalBytes(message.subarray(24), lib.seal(key, nonce, payload, header), 'sealInPlace = seal');
          const tampered = message.slice();
          tampered[3]! ^= 1;
          const before = toHex(tampered);
          throwsNamed(() => k.openInPlace(tampered, 24, nonce), 'AuthenticationError', 'tag', 'open a tampered header');
          equal(toHex(tampered), before, 'tampered message untouched');
          equal(k.openInPlace(message, 24, nonce), 70, 'openInPlace length');
          equalBytes(message.subarray(24, 94), payload, 'openInPlace plaintext');
          throwsNamed(() => k.sealInPlace(new Uint8Array(30), 10, 10, nonce), 'RangeError', 'tag', 'no room for the tag');
        } finally { k.dispose(); }
      },
    },
    {
      name: 'ctr keystream is CCM counter blocks: ctr from 1 equals CCM ciphertext without tag',
      run() {
        const message = seededBytes(9, 77);
        const sealed = lib.seal(key, nonce, message, undefined, 16);
        equalBytes(lib.ctrXor(key, nonce, message, 1), sealed.subarray(0, 77), 'ctrXor');
        equalBytes(lib.ctrXor(key, nonce, lib.ctrXor(key, nonce, message, 5), 5), message, 'ctrXor twice');
      },
    },
  ];
}

/** The reference allocator as a plain model: next free id upward from the hint, wrapping 65535 -> 1. */
class AllocatorModel {
  live = new Set<number>();
  order: number[] = [];
  constructor(public hint: number) {}
  release(index: number): number {
    const id = this.order[index]!;
    this.order[index] = this.order[this.order.length - 1]!;
    this.order.pop();
    this.live.delete(id);
    return id;
  }
  allocate(): number | undefined {
    if (this.live.size === 65535) return undefined;
    let id = this.hint;
    while (this.live.has(id)) id = id === 65535 ? 1 : id + 1;
    this.live.add(id);
    this.order.push(id);
    this.hint = id === 65535 ? 1 : id + 1;
    return id;
  }
}

function allocatorChecks(lib: typeof Library): Check[] {
  const using = (hint: number | undefined, body: (a: Library.SessionIdAllocator) => void) => () => {
    const a = new lib.SessionIdAllocator(hint);
    try { body(a); } finally { a.dispose(); }
  };
  return [
    {
      name: 'allocator hands out consecutive ids from the hint',
      run: using(100, (a) => { for (let id = 100; id < 110; id++) equal(a.allocate(), id, 'id'); equal(a.size, 10, 'size'); }),
    },
    {
      name: 'allocator wraps 65535 -> 1 and never returns 0',
      run: using(65534, (a) => { equal(a.allocate(), 65534, 'first'); equal(a.allocate(), 65535, 'second'); equal(a.allocate(), 1, 'wrapped'); }),
    },
    {
      name: 'allocator skips live ids and reuses released ones',
      run: using(10, (a) => {
        a.reserve(11); a.reserve(12);
        equal(a.allocate(), 10, 'first'); equal(a.allocate(), 13, 'skips reserved');
        a.release(11);
        equal(a.inUse(11), false, 'released');
        equal(a.allocate(), 14, 'hint moves on');
      }),
    },
    {
      name: 'allocator: 65535 distinct ids, none 0, then exhaustion, then release frees exactly one',
      run: using(undefined, (a) => {
        const seen = new Uint8Array(65536);
        for (let n = 0; n < 65535; n++) {
          const id = a.allocate();
          if (id < 1 || id > 65535) fail(`id ${id} out of range`);
          if (seen[id]) fail(`id ${id} handed out twice`);
          seen[id] = 1;
        }
        equal(a.size, 65535, 'size when full');
        throwsNamed(() => a.allocate(), 'SessionIdsExhaustedError', '65535', 'allocate when full');
        equal(a.size, 65535, 'size unchanged by the failed allocate');
        a.release(4242);
        equal(a.allocate(), 4242, 'the one free id');
      }),
    },
    {
      name: 'allocator argument errors change nothing',
      run: using(5, (a) => {
        throwsNamed(() => a.release(0), 'RangeError', 'id', 'release 0');
        throwsNamed(() => a.reserve(65536), 'RangeError', 'id', 'reserve 65536');
        throwsNamed(() => a.release(7), 'RangeError', 'not allocated', 'release a free id');
        a.reserve(7);
        throwsNamed(() => a.reserve(7), 'RangeError', 'already in use', 'reserve twice');
        throwsNamed(() => a.inUse(1.5), 'RangeError', 'id', 'inUse 1.5');
        equal(a.size, 1, 'size');
        equal(a.allocate(), 5, 'hint untouched');
      }),
    },
    {
      name: 'allocator matches the reference model over 20,000 random operations',
      run() {
        const rng = seededBytes(2024, 80000);
        const view = new DataView(rng.buffer);
        const hint = (view.getUint16(0, true) % 65535) + 1;
        const a = new lib.SessionIdAllocator(hint);
        const model = new AllocatorModel(hint);
        try {
          for (let step = 0; step < 20000; step++) {
            const r = view.getUint32(step * 4, true);
            if (r % 3 !== 0 || model.order.length === 0) {
              equal(a.allocate(), model.allocate(), `allocate at step ${step}`);
            } else {
              a.release(model.release((r >>> 2) % model.order.length));
            }
            if (step % 1000 === 0) equal(a.size, model.live.size, `size at step ${step}`);
          }
        } finally { a.dispose(); }
      },
    },
  ];
}

/** ready() without a source picks the relaxed build exactly where relaxed SIMD validates, compact on JavaScriptCore. */
function buildChecks(lib: typeof Library): Check[] {
  return [{
    name: 'ready() loaded the build for this engine: relaxed where it has relaxed SIMD, compact on JavaScriptCore (workerd too, from its imported modules)',
    run() {
      const build = lib.coreBuild();
      if (build === 'given') return; // a caller handed ready() a module: its choice, not the engine's
      const expected = `${lib.isJavaScriptCore() ? 'compact-' : ''}${lib.hasRelaxedSimd() ? 'relaxed-simd' : 'simd'}`;
      equal(build, expected, 'coreBuild()');
    },
  }];
}

export function coreChecks(lib: typeof Library, data: SuiteData): Check[] {
  return [...buildChecks(lib), ...ccmChecks(lib, data), ...argumentChecks(lib), ...allocatorChecks(lib)];
}

/** Runs every check; used by the non-Node runtimes, which report the counts back to the Node test. */
export async function runCoreSuite(lib: typeof Library, data: SuiteData, runtime: string): Promise<SuiteReport> {
  await lib.ready();
  const report: SuiteReport = { runtime, passed: 0, failed: 0, failures: [] };
  for (const check of coreChecks(lib, data)) {
    try {
      await check.run();
      report.passed++;
    } catch (e) {
      report.failed++;
      report.failures.push(`${check.name}: ${(e as Error).message}`);
    }
  }
  return report;
}
