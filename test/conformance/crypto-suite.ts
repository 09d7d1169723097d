// The crypto module's conformance suite: every vector of hkdf-sha256.json, session-keys.json and pbkdf.json's plain
// PBKDF2 list, each Matter derivation through its named function. Like core-suite.ts it has no imports at run time
// (the library and the parsed vector files come in as arguments), so the compiled file runs unchanged in Node,
// Deno, Bun, workerd and Chromium.
import type * as Crypto from '../../src/crypto/index.js';
import type { Check } from './check.js';
import { equal, equalBytes, fail, hex, throwsNamed, toHex } from './check.js';

export type CryptoModule = typeof Crypto;

/** A raw HKDF vector; `info` says which Matter derivation, if any, it is. */
export interface HkdfVector {
  name: string; ikm: string; salt: string; info: string; length: number; okm: string; sessionId?: string;
}
/** Epoch key -> operational key, group session id and privacy key in one go. */
export interface GroupCredentialsVector {
  name: string; epochKey: string; compressedFabricId: string; encryptionKey: string; groupSessionId: string;
  privacyKey: string;
}
export interface SessionKeysVector {
  name: string; sharedSecret: string; salt: string; info: string; outputLength: number; expectedI2RKey: string;
  expectedR2IKey: string; attestationChallenge: string;
}
export interface DestinationIdVector {
  name: string; kind: 'caseDestinationId'; ipk: string; initiatorRandom: string; rootPublicKey: string;
  fabricId: string; nodeId: string; expectedDestinationId: string;
}
export interface Pbkdf2Vector {
  id: string; password_ascii: string; salt_ascii: string; iterations: number; dkLen: number; key: string;
}
/** The vector files as parsed from ../shared/vectors. */
export interface CryptoSuiteData {
  hkdf: { counts: { total: number }; vectors: Array<HkdfVector | GroupCredentialsVector> };
  sessionKeys: { counts: { total: number }; vectors: Array<SessionKeysVector | DestinationIdVector> };
  pbkdf: { genericPbkdf2Sha256: Pbkdf2Vector[] };
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

const SESSION_KEYS = toHex(ascii('SessionKeys'));
const GROUP_KEY = toHex(ascii('GroupKey v1.0'));
const GROUP_KEY_HASH = toHex(ascii('GroupKeyHash'));
const PRIVACY_KEY = toHex(ascii('PrivacyKey'));

/** Runs a raw HKDF vector through the named function its info label belongs to. */
function matterDerivation(lib: CryptoModule, v: HkdfVector): void {
  const [ikm, salt, okm] = [hex(v.ikm), hex(v.salt), hex(v.okm)];
  switch (v.info) {
    case SESSION_KEYS: {
      if (v.salt !== '' || v.length !== 48) fail('a SessionKeys vector with a salt or not 48 bytes has no named derivation');
      const keys = lib.derivePaseSessionKeys(ikm);
      equalBytes(keys.i2rKey, okm.subarray(0, 16), 'i2rKey');
      equalBytes(keys.r2iKey, okm.subarray(16, 32), 'r2iKey');
      equalBytes(keys.attestationChallenge, okm.subarray(32), 'attestationChallenge');
      return;
    }
    case GROUP_KEY:
      equalBytes(lib.deriveOperationalGroupKey(ikm, salt), okm, 'deriveOperationalGroupKey');
      return;
    case GROUP_KEY_HASH:
      equal(lib.deriveGroupSessionId(ikm), (okm[0]! << 8) | okm[1]!, 'deriveGroupSessionId');
      if (v.sessionId !== undefined) equal(lib.deriveGroupSessionId(ikm), Number(v.sessionId), 'sessionId');
      return;
    case PRIVACY_KEY:
      equalBytes(lib.derivePrivacyKey(ikm), okm, 'derivePrivacyKey');
      return;
  }
}

function hkdfChecks(lib: CryptoModule, data: CryptoSuiteData): Check[] {
  return data.hkdf.vectors.map((v) => ({
    name: `hkdf-sha256.json: ${v.name}`,
    run() {
      if ('epochKey' in v) {
        const keys = lib.deriveGroupKeys(hex(v.epochKey), hex(v.compressedFabricId));
        equalBytes(keys.operationalKey, hex(v.encryptionKey), 'operationalKey');
        equal(keys.sessionId, Number(v.groupSessionId), 'sessionId');
        equalBytes(keys.privacyKey, hex(v.privacyKey), 'privacyKey');
        return;
      }
      equalBytes(lib.hkdfSha256(hex(v.ikm), hex(v.salt), hex(v.info), v.length), hex(v.okm), 'hkdfSha256');
      matterDerivation(lib, v);
    },
  }));
}

function uint64LittleEndian(value: string): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value), true);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Sigma1's destination id = HMAC(IPK, initiator random | root public key | LE64 fabric id | LE64 node id). */
function destinationId(lib: CryptoModule, v: DestinationIdVector): void {
  const message = concat([hex(v.initiatorRandom), hex(v.rootPublicKey), uint64LittleEndian(v.fabricId),
    uint64LittleEndian(v.nodeId)]);
  equalBytes(lib.hmacSha256(hex(v.ipk), message), hex(v.expectedDestinationId), 'destination id');
}

function sessionKeysChecks(lib: CryptoModule, data: CryptoSuiteData): Check[] {
  return data.sessionKeys.vectors.map((v) => ({
    name: `session-keys.json: ${v.name}`,
    run() {
      const kind = (v as { kind?: string }).kind;
      if (kind === 'caseDestinationId') return destinationId(lib, v as DestinationIdVector);
      if (kind !== undefined) fail(`no mapping for vector kind ${kind}`);
      const s = v as SessionKeysVector;
      if (s.salt !== '' || s.info !== SESSION_KEYS || s.outputLength !== 48) {
        fail('only the PASE form (no salt, info SessionKeys, 48 bytes) has a named derivation');
      }
      const keys = lib.derivePaseSessionKeys(hex(s.sharedSecret));
      equalBytes(keys.i2rKey, hex(s.expectedI2RKey), 'i2rKey');
      equalBytes(keys.r2iKey, hex(s.expectedR2IKey), 'r2iKey');
      equalBytes(keys.attestationChallenge, hex(s.attestationChallenge), 'attestationChallenge');
    },
  }));
}

function pbkdf2Checks(lib: CryptoModule, data: CryptoSuiteData): Check[] {
  return data.pbkdf.genericPbkdf2Sha256.map((v) => ({
    name: `pbkdf.json: ${v.id} (${v.iterations} iterations)`,
    run() {
      equalBytes(lib.pbkdf2Sha256(ascii(v.password_ascii), ascii(v.salt_ascii), v.iterations, v.dkLen), hex(v.key),
        'pbkdf2Sha256');
    },
  }));
}

function completenessChecks(data: CryptoSuiteData): Check[] {
  return [
    { name: 'hkdf-sha256.json: every vector loaded', run: () => equal(data.hkdf.vectors.length, data.hkdf.counts.total, 'vectors') },
    {
      name: 'session-keys.json: every vector loaded',
      run: () => equal(data.sessionKeys.vectors.length, data.sessionKeys.counts.total, 'vectors'),
    },
    {
      name: 'pbkdf.json: plain PBKDF2 vectors loaded',
      run: () => { if (data.pbkdf.genericPbkdf2Sha256.length === 0) fail('genericPbkdf2Sha256 is empty'); },
    },
  ];
}

function argumentChecks(lib: CryptoModule): Check[] {
  const b = (n: number) => new Uint8Array(n);
  const caseSecrets = { sharedSecret: b(32), ipk: b(16), sigma1: b(3), sigma2: b(3), sigma3: b(3) };
  const resumption = { sharedSecret: b(32), initiatorRandom: b(32), resumptionId: b(16) };
  const rejects = (name: string, errorName: string, mentions: string, fn: () => unknown): Check =>
    ({ name, run: () => { throwsNamed(fn, errorName, mentions, name); } });
  return [
    rejects('sha256 of a string is a TypeError naming data', 'TypeError', 'data', () => lib.sha256('abc' as never)),
    rejects('hmacSha256 with an array key is a TypeError naming key', 'TypeError', 'key', () => lib.hmacSha256([1] as never, b(1))),
    rejects('hmacSha256 without a message is a TypeError naming message', 'TypeError', 'message', () => lib.hmacSha256(b(1), undefined as never)),
    rejects('hkdfSha256 without a secret is a TypeError naming secret', 'TypeError', 'secret', () => lib.hkdfSha256(null as never, b(0), b(0), 16)),
    rejects('hkdfSha256 without a salt is a TypeError naming salt', 'TypeError', 'salt', () => lib.hkdfSha256(b(16), undefined as never, b(0), 16)),
    rejects('hkdfSha256 with a string info is a TypeError naming info', 'TypeError', 'info', () => lib.hkdfSha256(b(16), b(0), 'SessionKeys' as never, 16)),
    rejects('hkdfSha256 length 0 is a RangeError naming length', 'RangeError', 'length', () => lib.hkdfSha256(b(16), b(0), b(0), 0)),
    rejects('hkdfSha256 length 8161 (over 255 blocks) is a RangeError naming length', 'RangeError', '8160', () => lib.hkdfSha256(b(16), b(0), b(0), 8161)),
    rejects('hkdfSha256 length 1.5 is a RangeError naming length', 'RangeError', 'length', () => lib.hkdfSha256(b(16), b(0), b(0), 1.5)),
    { name: 'hkdfSha256 gives the full 8160 bytes', run: () => equal(lib.hkdfSha256(b(16), b(0), b(0), 8160).length, 8160, 'length') },
    rejects('pbkdf2Sha256 with a string password is a TypeError naming password', 'TypeError', 'password', () => lib.pbkdf2Sha256('pw' as never, b(16), 1, 32)),
    rejects('pbkdf2Sha256 without a salt is a TypeError naming salt', 'TypeError', 'salt', () => lib.pbkdf2Sha256(b(4), undefined as never, 1, 32)),
    rejects('pbkdf2Sha256 with 0 iterations is a RangeError naming iterations', 'RangeError', 'iterations', () => lib.pbkdf2Sha256(b(4), b(16), 0, 32)),
    rejects('pbkdf2Sha256 with NaN iterations is a RangeError naming iterations', 'RangeError', 'iterations', () => lib.pbkdf2Sha256(b(4), b(16), NaN, 32)),
    rejects('pbkdf2Sha256 length 0 is a RangeError naming length', 'RangeError', 'length', () => lib.pbkdf2Sha256(b(4), b(16), 1, 0)),
    rejects('derivePaseSessionKeys of an empty Ke is a RangeError naming ke', 'RangeError', 'ke', () => lib.derivePaseSessionKeys(b(0))),
    rejects('derivePaseSessionKeys of a string is a TypeError naming ke', 'TypeError', 'ke', () => lib.derivePaseSessionKeys('ke' as never)),
    rejects('deriveCaseSessionKeys with a 31-byte secret is a RangeError naming sharedSecret', 'RangeError', 'sharedSecret',
      () => lib.deriveCaseSessionKeys({ ...caseSecrets, sharedSecret: b(31) })),
    rejects('deriveCaseSessionKeys with a 15-byte IPK is a RangeError naming ipk', 'RangeError', 'ipk',
      () => lib.deriveCaseSessionKeys({ ...caseSecrets, ipk: b(15) })),
    rejects('deriveCaseSessionKeys without Sigma2 is a TypeError naming sigma2', 'TypeError', 'sigma2',
      () => lib.deriveCaseSessionKeys({ ...caseSecrets, sigma2: undefined as never })),
    rejects('deriveCaseResumptionSessionKeys with a 31-byte initiator random is a RangeError naming initiatorRandom',
      'RangeError', 'initiatorRandom', () => lib.deriveCaseResumptionSessionKeys({ ...resumption, initiatorRandom: b(31) })),
    rejects('deriveCaseResumptionSessionKeys with a 17-byte resumption id is a RangeError naming resumptionId',
      'RangeError', 'resumptionId', () => lib.deriveCaseResumptionSessionKeys({ ...resumption, resumptionId: b(17) })),
    rejects('deriveCaseResumptionSessionKeys with a 16-byte secret is a RangeError naming sharedSecret',
      'RangeError', 'sharedSecret', () => lib.deriveCaseResumptionSessionKeys({ ...resumption, sharedSecret: b(16) })),
    rejects('deriveGroupKeys with a 32-byte epoch key is a RangeError naming epochKey', 'RangeError', 'epochKey',
      () => lib.deriveGroupKeys(b(32), b(8))),
    rejects('deriveGroupKeys with a 7-byte compressed fabric id is a RangeError naming compressedFabricId', 'RangeError',
      'compressedFabricId', () => lib.deriveGroupKeys(b(16), b(7))),
    rejects('deriveGroupSessionId of a bigint is a TypeError naming operationalKey', 'TypeError', 'operationalKey',
      () => lib.deriveGroupSessionId(1n as never)),
    rejects('derivePrivacyKey of 15 bytes is a RangeError naming operationalKey', 'RangeError', 'operationalKey',
      () => lib.derivePrivacyKey(b(15))),
    {
      name: 'session keys are separate buffers: wiping one leaves the others',
      run() {
        const keys = lib.derivePaseSessionKeys(Uint8Array.of(1, 2, 3));
        const r2i = toHex(keys.r2iKey), challenge = toHex(keys.attestationChallenge);
        keys.i2rKey.fill(0);
        equal(toHex(keys.r2iKey), r2i, 'r2iKey');
        equal(toHex(keys.attestationChallenge), challenge, 'attestationChallenge');
        equal(keys.i2rKey.buffer.byteLength, 16, 'i2rKey buffer');
      },
    },
  ];
}

export function cryptoChecks(lib: CryptoModule, data: CryptoSuiteData): Check[] {
  return [
    ...completenessChecks(data), ...hkdfChecks(lib, data), ...sessionKeysChecks(lib, data), ...pbkdf2Checks(lib, data),
    ...argumentChecks(lib),
  ];
}
