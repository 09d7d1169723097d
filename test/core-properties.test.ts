// Property tests of the core against node:crypto (OpenSSL) over random keys, nonce and tag lengths, AAD and
// payload lengths (0, block boundaries and beyond), and of the allocator against a plain model.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AesCcmKey, AuthenticationError, open, ready, seal, SessionIdAllocator } from '../src/index.js';
import { nodeSeal } from './conformance/suite-data.js';

await ready();

const boundaryLength = fc.oneof(
  fc.constantFrom(0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 256, 1024),
  fc.integer({ min: 0, max: 600 }),
);
const ccmCase = fc.record({
  key: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  nonce: fc.integer({ min: 7, max: 13 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  tagLength: fc.constantFrom(4, 6, 8, 10, 12, 14, 16),
  aad: boundaryLength.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  plaintext: boundaryLength.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
});

describe('AES-128-CCM against node:crypto', () => {
  it('seal equals node:crypto and open inverts it', () => {
    fc.assert(fc.property(ccmCase, ({ key, nonce, tagLength, aad, plaintext }) => {
      const sealed = seal(key, nonce, plaintext, aad, tagLength);
      assert.deepEqual(Buffer.from(sealed), Buffer.from(nodeSeal(key, nonce, plaintext, aad, tagLength)));
      assert.deepEqual(open(key, nonce, sealed, aad, tagLength), plaintext);
    }), { numRuns: 1500 });
  });

  it('any single flipped bit in ciphertext, tag, nonce or AAD fails authentication and yields nothing', () => {
    fc.assert(fc.property(ccmCase, fc.nat(), fc.integer({ min: 0, max: 7 }), fc.constantFrom('sealed', 'nonce', 'aad'),
      ({ key, nonce, tagLength, aad, plaintext }, at, bit, where) => {
        const sealed = seal(key, nonce, plaintext, aad, tagLength);
        const target = where === 'sealed' ? sealed : where === 'nonce' ? nonce : aad;
        fc.pre(target.length > 0);
        target[at % target.length]! ^= 1 << bit;
        const output = new Uint8Array(plaintext.length).fill(0xaa);
        const k = new AesCcmKey(key);
        try {
          assert.throws(() => k.openInto(output, nonce, sealed, aad, tagLength), AuthenticationError);
        } finally {
          k.dispose();
        }
        assert.ok(output.every((b) => b === 0xaa), 'the caller buffer is untouched on failure');
      }), { numRuns: 800 });
  });

  it('a reused key slot gives the same results as one-shot calls, message after message', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.array(ccmCase, { minLength: 1, maxLength: 8 }),
      (key, cases) => {
        const k = new AesCcmKey(key);
        try {
          for (const c of cases) {
            assert.deepEqual(k.seal(c.nonce, c.plaintext, c.aad, c.tagLength), seal(key, c.nonce, c.plaintext, c.aad, c.tagLength));
          }
        } finally {
          k.dispose();
        }
      }), { numRuns: 200 });
  });
});

describe('SessionIdAllocator against a model of the reference algorithm', () => {
  type Op = { kind: 'allocate' } | { kind: 'release'; pick: number } | { kind: 'reserve'; id: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: fc.constant({ kind: 'allocate' as const }) },
    { weight: 2, arbitrary: fc.nat().map((pick) => ({ kind: 'release' as const, pick })) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 65535 }).map((id) => ({ kind: 'reserve' as const, id })) },
  );

  it('allocate, release and reserve agree with the model; no live id is handed out twice', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 65535 }), fc.array(op, { minLength: 100, maxLength: 500, size: 'max' }), (hint, ops) => {
      const a = new SessionIdAllocator(hint);
      const live = new Set<number>();
      let next = hint;
      try {
        for (const o of ops) {
          if (o.kind === 'allocate') {
            let expected = next;
            while (live.has(expected)) expected = expected === 65535 ? 1 : expected + 1;
            const id = a.allocate();
            assert.equal(id, expected);
            live.add(id);
            next = id === 65535 ? 1 : id + 1;
          } else if (o.kind === 'release') {
            if (live.size === 0) continue;
            const id = [...live][o.pick % live.size]!;
            a.release(id);
            live.delete(id);
          } else if (live.has(o.id)) {
            assert.throws(() => a.reserve(o.id), RangeError);
          } else {
            a.reserve(o.id);
            live.add(o.id);
          }
          assert.equal(a.size, live.size);
        }
        for (const id of live) assert.ok(a.inUse(id));
      } finally {
        a.dispose();
      }
    }), { numRuns: 300 });
  });

  it('starts at a random hint by default', () => {
    const firsts = new Set(Array.from({ length: 20 }, () => {
      const a = new SessionIdAllocator();
      try { return a.allocate(); } finally { a.dispose(); }
    }));
    assert.ok(firsts.size > 10, `20 allocators started at only ${firsts.size} distinct ids`);
  });
});
