// The crypto module in Node: the conformance suite (every vector, argument errors), then property tests against
// node:crypto (OpenSSL, an independent implementation) over random inputs, including the CASE derivations that no
// published vector covers.
import assert from 'node:assert/strict';
import { createHash, createHmac, hkdfSync, pbkdf2Sync } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as crypto from '../src/crypto/index.js';
import { cryptoChecks, type CryptoSuiteData } from './conformance/crypto-suite.js';
import { readVectors } from './conformance/suite-data.js';

const data: CryptoSuiteData = {
  hkdf: readVectors('hkdf-sha256.json'),
  sessionKeys: readVectors('session-keys.json'),
  pbkdf: readVectors('pbkdf.json'),
};

describe('crypto conformance (Node)', () => {
  for (const check of cryptoChecks(crypto, data)) it(check.name, () => check.run());
});

const bytes = (minLength: number, maxLength: number) => fc.uint8Array({ minLength, maxLength });
const exactly = (length: number) => bytes(length, length);
const nodeHkdf = (secret: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number) =>
  new Uint8Array(hkdfSync('sha256', secret, salt, info, length));
const toBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length);
const sameBytes = (actual: Uint8Array, expected: Uint8Array) => assert.deepEqual(toBuffer(actual), toBuffer(expected));
const ascii = (s: string) => new TextEncoder().encode(s);

describe('hashes against node:crypto', () => {
  it('sha256', () => {
    fc.assert(fc.property(bytes(0, 300), (data) => {
      sameBytes(crypto.sha256(data), createHash('sha256').update(data).digest());
    }), { numRuns: 500 });
  });

  it('hmacSha256, keys shorter and longer than the 64-byte block', () => {
    fc.assert(fc.property(bytes(0, 150), bytes(0, 300), (key, message) => {
      sameBytes(crypto.hmacSha256(key, message), createHmac('sha256', key).update(message).digest());
    }), { numRuns: 500 });
  });

  it('hkdfSha256, lengths from 1 to the 8160-byte maximum', () => {
    const length = fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(31, 32, 33, 48, 8159, 8160));
    fc.assert(fc.property(bytes(1, 80), bytes(0, 80), bytes(0, 80), length, (secret, salt, info, n) => {
      sameBytes(crypto.hkdfSha256(secret, salt, info, n), nodeHkdf(secret, salt, info, n));
    }), { numRuns: 300 });
  });

  it('pbkdf2Sha256', () => {
    fc.assert(fc.property(bytes(0, 80), bytes(0, 40), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 100 }),
      (password, salt, iterations, length) => {
        sameBytes(crypto.pbkdf2Sha256(password, salt, iterations, length),
          pbkdf2Sync(password, salt, iterations, length, 'sha256'));
      }), { numRuns: 200 });
  });

  it('accepts Buffers, as Node callers pass them', () => {
    const secret = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    sameBytes(crypto.hkdfSha256(secret, Buffer.alloc(0), Buffer.from('x'), 16), nodeHkdf(secret, new Uint8Array(0), ascii('x'), 16));
    assert.equal(crypto.deriveGroupKeys(secret, Buffer.alloc(8)).operationalKey.length, 16);
  });
});

describe('Matter derivations against node:crypto HKDF', () => {
  const split = (okm: Uint8Array) => ({ i2rKey: okm.slice(0, 16), r2iKey: okm.slice(16, 32), attestationChallenge: okm.slice(32) });

  it('PASE: HKDF(Ke, no salt, "SessionKeys", 48) split I2R | R2I | challenge', () => {
    fc.assert(fc.property(exactly(16), (ke) => {
      assert.deepEqual(crypto.derivePaseSessionKeys(ke),
        split(nodeHkdf(ke, new Uint8Array(0), ascii('SessionKeys'), 48)));
    }), { numRuns: 200 });
  });

  it('CASE: salt = IPK | SHA-256(Sigma1 | Sigma2 | Sigma3), info "SessionKeys"', () => {
    fc.assert(fc.property(exactly(32), exactly(16), bytes(0, 200), bytes(0, 400), bytes(0, 200),
      (sharedSecret, ipk, sigma1, sigma2, sigma3) => {
        const transcriptHash = createHash('sha256').update(sigma1).update(sigma2).update(sigma3).digest();
        const salt = Buffer.concat([ipk, transcriptHash]);
        assert.deepEqual(crypto.deriveCaseSessionKeys({ sharedSecret, ipk, sigma1, sigma2, sigma3 }),
          split(nodeHkdf(sharedSecret, salt, ascii('SessionKeys'), 48)));
      }), { numRuns: 200 });
  });

  it('CASE resumption: salt = initiator random | resumption id, info "SessionResumptionKeys"', () => {
    fc.assert(fc.property(exactly(32), exactly(32), exactly(16), (sharedSecret, initiatorRandom, resumptionId) => {
      const salt = Buffer.concat([initiatorRandom, resumptionId]);
      assert.deepEqual(crypto.deriveCaseResumptionSessionKeys({ sharedSecret, initiatorRandom, resumptionId }),
        split(nodeHkdf(sharedSecret, salt, ascii('SessionResumptionKeys'), 48)));
    }), { numRuns: 200 });
  });

  it('CASE and resumption keys differ for the same secret (the info separates them)', () => {
    const sharedSecret = new Uint8Array(32).fill(7);
    const full = crypto.deriveCaseSessionKeys({ sharedSecret, ipk: new Uint8Array(16), sigma1: new Uint8Array(0),
      sigma2: new Uint8Array(0), sigma3: new Uint8Array(0) });
    const resumed = crypto.deriveCaseResumptionSessionKeys({ sharedSecret, initiatorRandom: new Uint8Array(32),
      resumptionId: new Uint8Array(16) });
    assert.notDeepEqual(full.i2rKey, resumed.i2rKey);
  });

  it('group keys: operational key, big-endian session id and privacy key', () => {
    fc.assert(fc.property(exactly(16), exactly(8), (epochKey, compressedFabricId) => {
      const operationalKey = nodeHkdf(epochKey, compressedFabricId, ascii('GroupKey v1.0'), 16);
      const hash = Buffer.from(nodeHkdf(operationalKey, new Uint8Array(0), ascii('GroupKeyHash'), 2));
      assert.deepEqual(crypto.deriveGroupKeys(epochKey, compressedFabricId), {
        operationalKey,
        sessionId: hash.readUInt16BE(0),
        privacyKey: nodeHkdf(operationalKey, new Uint8Array(0), ascii('PrivacyKey'), 16),
      });
    }), { numRuns: 300 });
  });
});
