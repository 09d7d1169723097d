// SPAKE2+ and passcode verifiers against every vector of spake2p.json and pbkdf.json's passcode list, through the
// public API only: each side of each handshake is replayed with the vector's scalars, the Matter context and the
// PASE session keys are derived, and peer misbehaviour fails with Spake2pError. The transcript's inner values
// (Z, V, TT, Ka, KcA, KcB) are not public; test/spake2p.test.ts checks them against the internal modules. Type
// imports only, like core-suite.ts, so the compiled file runs unchanged in Node, Deno, Bun, workerd and Chromium.
import type * as Core from '../../src/core/index.js';
import type * as Crypto from '../../src/crypto/index.js';
import type { Check } from './check.js';
import { equal, equalBytes, fail, hex, throwsNamed, toHex } from './check.js';

export type Spake2pModule = typeof Crypto & Pick<typeof Core, 'seal'>;

/** One SPAKE2+ transcript. Matter PASE vectors add the passcode inputs and the session keys; x may be unknown. */
export interface Spake2pVector {
  id: string; context: string; idProver?: string; idVerifier?: string; w0: string; w1: string; L: string;
  x: string | null; X: string; y: string; Y: string; Z: string; V: string; TT: string; Ka: string; Ke: string;
  KcA: string; KcB: string; cA: string; cB: string;
  passcode?: number; iterations?: number; salt?: string; pbkdfParamRequest?: string; pbkdfParamResponse?: string;
  sessionKeys?: { I2RKey: string; R2IKey: string; AttestationChallenge: string };
}
export interface ContextVector {
  id: string; pbkdfParamRequest: string; pbkdfParamResponse: string; context_expected: string;
}
/** HKDF(secret, salt, info, 48) = I2R | R2I | challenge, then one AES-CCM block under each key. */
export interface SessionKeyVector {
  id: string; secret: string; salt: string; info: string; derived: string[]; plaintext: string; nonce: string;
  i2rCiphertext: string; r2iCiphertext: string;
}
export interface PasscodeVector {
  id: string; passcode: number; salt: string; iterations: number;
  expected: { w0?: string; L?: string; serializedVerifier?: string } | null;
  computed: { w0: string; w1: string; L: string; serializedVerifier: string };
}
/** spake2p.json and pbkdf.json as parsed from ../shared/vectors. */
export interface Spake2pSuiteData {
  spake2p: {
    constants: { order_n: string; G: string; M: string; N: string; M_compressed: string; N_compressed: string };
    vectors: Spake2pVector[]; contextVectors: ContextVector[]; sessionKeyVectors: SessionKeyVector[];
  };
  pbkdf: { vectors: PasscodeVector[] };
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

function thrown(fn: () => unknown, what: string): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  return fail(`${what}: did not throw`);
}
function failsHandshake(lib: Spake2pModule, fn: () => unknown, reason: Crypto.Spake2pFailure, what: string): void {
  const error = thrown(fn, what);
  if (!(error instanceof lib.Spake2pError)) fail(`${what}: threw ${error.name}: ${error.message}, expected Spake2pError`);
  equal(error.name, 'Spake2pError', `${what}: name`);
  equal(error.reason, reason, `${what}: reason`);
}
/** The same bytes with one bit flipped. */
function flipped(b: Uint8Array, at = b.length - 1): Uint8Array {
  const copy = b.slice();
  copy[at]! ^= 1;
  return copy;
}

function binding(v: Spake2pVector): Crypto.Spake2pBinding {
  return { context: hex(v.context), idProver: hex(v.idProver ?? ''), idVerifier: hex(v.idVerifier ?? '') };
}
function verifierOf(lib: Spake2pModule, v: Spake2pVector): Crypto.Spake2pVerifier {
  return lib.startSpake2pVerifier({ ...binding(v), w0: hex(v.w0), L: hex(v.L), y: hex(v.y) }, hex(v.X));
}
function proverOf(lib: Spake2pModule, v: Spake2pVector & { x: string }): Crypto.Spake2pProver {
  return lib.startSpake2pProver({ ...binding(v), w0: hex(v.w0), w1: hex(v.w1), x: hex(v.x) });
}

function vectorChecks(lib: Spake2pModule, v: Spake2pVector): Check[] {
  const name = (what: string) => `spake2p.json: ${v.id}: ${what}`;
  const checks: Check[] = [
    {
      name: name('verifier: Y and cB from X, then cA gives Ke'),
      run() {
        const verifier = verifierOf(lib, v);
        equalBytes(verifier.Y, v.Y, 'Y');
        equalBytes(verifier.cB, v.cB, 'cB');
        equalBytes(verifier.finish(hex(v.cA)), v.Ke, 'Ke');
      },
    },
    {
      name: name('verifier rejects a cA with one bit flipped'),
      run: () => failsHandshake(lib, () => verifierOf(lib, v).finish(flipped(hex(v.cA))), 'confirmation-mismatch', 'finish'),
    },
  ];
  const { x } = v;
  if (x !== null) {
    const withX = { ...v, x };
    checks.push(
      {
        name: name('prover: X, then Y and cB give cA and Ke'),
        run() {
          const prover = proverOf(lib, withX);
          equalBytes(prover.X, v.X, 'X');
          const { cA, Ke } = prover.finish(hex(v.Y), hex(v.cB));
          equalBytes(cA, v.cA, 'cA');
          equalBytes(Ke, v.Ke, 'Ke');
        },
      },
      {
        name: name('prover rejects a cB with one bit flipped'),
        run: () => failsHandshake(lib, () => proverOf(lib, withX).finish(hex(v.Y), flipped(hex(v.cB), 0)),
          'confirmation-mismatch', 'finish'),
      },
    );
  }
  if (v.passcode !== undefined) checks.push(...paseVectorChecks(lib, v, name));
  return checks;
}

/** A Matter PASE transcript: the passcode gives w0, w1 and L, the two payloads the context, Ke the session keys. */
function paseVectorChecks(lib: Spake2pModule, v: Spake2pVector, name: (what: string) => string): Check[] {
  return [
    {
      name: name(`passcode ${v.passcode} gives w0, w1 and L`),
      run() {
        const secrets = lib.computePasscodeVerifier(v.passcode!, hex(v.salt!), v.iterations!);
        equalBytes(secrets.w0, v.w0, 'w0');
        equalBytes(secrets.w1, v.w1, 'w1');
        equalBytes(secrets.L, v.L, 'L');
      },
    },
    {
      name: name('context = SHA-256("CHIP PAKE V1 Commissioning" | PBKDFParamRequest | PBKDFParamResponse)'),
      run: () => equalBytes(lib.paseContext(hex(v.pbkdfParamRequest!), hex(v.pbkdfParamResponse!)), v.context, 'context'),
    },
    {
      name: name('Ke gives the session keys'),
      run() {
        const keys = lib.derivePaseSessionKeys(hex(v.Ke));
        equalBytes(keys.i2rKey, v.sessionKeys!.I2RKey, 'i2rKey');
        equalBytes(keys.r2iKey, v.sessionKeys!.R2IKey, 'r2iKey');
        equalBytes(keys.attestationChallenge, v.sessionKeys!.AttestationChallenge, 'attestationChallenge');
      },
    },
  ];
}

function contextChecks(lib: Spake2pModule, data: Spake2pSuiteData): Check[] {
  return data.spake2p.contextVectors.map((v) => ({
    name: `spake2p.json: ${v.id}: paseContext`,
    run: () => equalBytes(lib.paseContext(hex(v.pbkdfParamRequest), hex(v.pbkdfParamResponse)), v.context_expected,
      'context'),
  }));
}

function sessionKeyChecks(lib: Spake2pModule, data: Spake2pSuiteData): Check[] {
  return data.spake2p.sessionKeyVectors.map((v) => ({
    // This vector has a salt and its own info, so it is the general split rather than derivePaseSessionKeys.
    name: `spake2p.json: ${v.id}: HKDF split I2R | R2I | challenge, each key encrypting`,
    run() {
      const okm = lib.hkdfSha256(ascii(v.secret), ascii(v.salt), ascii(v.info), 48);
      const [i2r, r2i, challenge] = [okm.subarray(0, 16), okm.subarray(16, 32), okm.subarray(32)];
      equalBytes(i2r, v.derived[0]!, 'I2R key');
      equalBytes(r2i, v.derived[1]!, 'R2I key');
      equalBytes(challenge, v.derived[2]!, 'attestation challenge');
      const plaintext = hex(v.plaintext), nonce = hex(v.nonce);
      equalBytes(lib.seal(i2r, nonce, plaintext).subarray(0, plaintext.length), v.i2rCiphertext, 'I2R ciphertext');
      equalBytes(lib.seal(r2i, nonce, plaintext).subarray(0, plaintext.length), v.r2iCiphertext, 'R2I ciphertext');
    },
  }));
}

function passcodeChecks(lib: Spake2pModule, data: Spake2pSuiteData): Check[] {
  return data.pbkdf.vectors.map((v) => ({
    name: `pbkdf.json: ${v.id} (${v.iterations} iterations)`,
    run() {
      const secrets = lib.computePasscodeVerifier(v.passcode, hex(v.salt), v.iterations);
      const serialized = lib.serializeVerifier(secrets);
      for (const [what, actual] of [['w0', secrets.w0], ['L', secrets.L], ['serializedVerifier', serialized]] as const) {
        const published = v.expected?.[what];
        if (published !== undefined) equalBytes(actual, published, `${what} (published)`);
      }
      equalBytes(secrets.w0, v.computed.w0, 'w0');
      equalBytes(secrets.w1, v.computed.w1, 'w1');
      equalBytes(secrets.L, v.computed.L, 'L');
      equalBytes(serialized, v.computed.serializedVerifier, 'serializedVerifier');
      const parsed = lib.parseVerifier(serialized);
      equalBytes(parsed.w0, v.computed.w0, 'parsed w0');
      equalBytes(parsed.L, v.computed.L, 'parsed L');
    },
  }));
}

const SALT = ascii('SPAKE2P Key Salt');

function handshakeChecks(lib: Spake2pModule, data: Spake2pSuiteData): Check[] {
  const v = data.spake2p.vectors.find((vector) => vector.passcode !== undefined && vector.x !== null) ??
    fail('no full PASE vector');
  const w0 = hex(v.w0), w1 = hex(v.w1), L = hex(v.L), context = hex(v.context);
  const one = new Uint8Array(32);
  one[31] = 1;
  return [
    {
      name: 'random scalars: prover and verifier agree on Ke, from a stored 97-byte verifier',
      run() {
        const stored = lib.parseVerifier(lib.serializeVerifier(lib.computePasscodeVerifier(20202021, SALT, 1000)));
        const prover = lib.startSpake2pProver({ context, ...lib.computePasscodeVerifier(20202021, SALT, 1000) });
        const verifier = lib.startSpake2pVerifier({ context, ...stored }, prover.X);
        const { cA, Ke } = prover.finish(verifier.Y, verifier.cB);
        equalBytes(verifier.finish(cA), Ke, 'Ke');
        equal(Ke.length, 16, 'Ke length');
      },
    },
    {
      name: 'random scalars differ per handshake',
      run() {
        const a = lib.startSpake2pProver({ context, w0, w1 }), b = lib.startSpake2pProver({ context, w0, w1 });
        if (toHex(a.X) === toHex(b.X)) fail('two handshakes sent the same X');
      },
    },
    {
      name: 'wrong passcode: the prover rejects cB',
      run() {
        const device = lib.computePasscodeVerifier(20202022, SALT, 1000);
        const prover = lib.startSpake2pProver({ context, ...lib.computePasscodeVerifier(20202021, SALT, 1000) });
        const verifier = lib.startSpake2pVerifier({ context, w0: device.w0, L: device.L }, prover.X);
        failsHandshake(lib, () => prover.finish(verifier.Y, verifier.cB), 'confirmation-mismatch', 'prover.finish');
      },
    },
    {
      name: 'different contexts (another PBKDF exchange) do not agree',
      run() {
        const prover = lib.startSpake2pProver({ context, w0, w1 });
        const verifier = lib.startSpake2pVerifier({ context: flipped(context), w0, L }, prover.X);
        failsHandshake(lib, () => prover.finish(verifier.Y, verifier.cB), 'confirmation-mismatch', 'prover.finish');
      },
    },
    {
      name: 'each finish runs once',
      run() {
        const prover = lib.startSpake2pProver({ context, w0, w1 });
        const verifier = lib.startSpake2pVerifier({ context, w0, L }, prover.X);
        const { cA } = prover.finish(verifier.Y, verifier.cB);
        throwsNamed(() => prover.finish(verifier.Y, verifier.cB), 'Error', 'already ran', 'prover.finish twice');
        verifier.finish(cA);
        throwsNamed(() => verifier.finish(cA), 'Error', 'already ran', 'verifier.finish twice');
      },
    },
    {
      name: 'a failed finish ends the handshake: the right cA after a wrong one is refused',
      run() {
        const prover = lib.startSpake2pProver({ context, w0, w1 });
        const verifier = lib.startSpake2pVerifier({ context, w0, L }, prover.X);
        const { cA } = prover.finish(verifier.Y, verifier.cB);
        failsHandshake(lib, () => verifier.finish(flipped(cA)), 'confirmation-mismatch', 'wrong cA');
        throwsNamed(() => verifier.finish(cA), 'Error', 'already ran', 'right cA after');
      },
    },
    {
      name: 'prover and verifier hand out copies: changing X or Y afterwards changes nothing',
      run() {
        const prover = lib.startSpake2pProver({ context, w0, w1 });
        const X = prover.X.slice();
        const verifier = lib.startSpake2pVerifier({ context, w0, L }, X);
        const Y = verifier.Y.slice();
        prover.X.fill(0);
        verifier.Y.fill(0);
        const { cA, Ke } = prover.finish(Y, verifier.cB);
        equalBytes(verifier.finish(cA), Ke, 'Ke');
      },
    },
    ...invalidPointChecks(lib, data, { context, w0, w1, L, one }),
  ];
}

function invalidPointChecks(lib: Spake2pModule, data: Spake2pSuiteData,
  { context, w0, w1, L, one }: { context: Uint8Array; w0: Uint8Array; w1: Uint8Array; L: Uint8Array; one: Uint8Array }):
  Check[] {
  const { M, N, M_compressed: compressedM } = data.spake2p.constants;
  const notOnCurve = flipped(hex(M));
  const zeros = new Uint8Array(65);
  zeros[0] = 4;
  const badShares: Array<[string, Uint8Array]> = [
    ['not on the curve', notOnCurve],
    ['the all-zero (0, 0) encoding of the identity', zeros],
    ['the 1-byte SEC1 identity', Uint8Array.of(0)],
    ['compressed (33 bytes)', hex(compressedM)],
    ['64 bytes (no prefix)', hex(M).subarray(1)],
    ['66 bytes', Uint8Array.of(...hex(M), 0)],
    ['a hybrid 0x06 prefix', Uint8Array.of(6, ...hex(M).subarray(1))],
    ['empty', new Uint8Array(0)],
  ];
  const prover = () => lib.startSpake2pProver({ context, w0, w1 });
  return [
    ...badShares.map(([what, X]): Check => ({
      name: `verifier rejects X ${what} with Spake2pError invalid-point`,
      run: () => failsHandshake(lib, () => lib.startSpake2pVerifier({ context, w0, L }, X), 'invalid-point', 'X'),
    })),
    ...badShares.map(([what, Y]): Check => ({
      name: `prover rejects Y ${what} with Spake2pError invalid-point`,
      run: () => failsHandshake(lib, () => prover().finish(Y, new Uint8Array(32)), 'invalid-point', 'Y'),
    })),
    {
      // X = w0*M unmasks to the identity: Z would be the identity whatever y is.
      name: 'verifier rejects an X that unmasks to the identity (X = w0*M, here w0 = 1, X = M)',
      run: () => failsHandshake(lib, () => lib.startSpake2pVerifier({ context, w0: one, L }, hex(M)), 'invalid-point', 'X'),
    },
    {
      name: 'prover rejects a Y that unmasks to the identity (Y = w0*N, here w0 = 1, Y = N)',
      run: () => failsHandshake(lib, () => lib.startSpake2pProver({ context, w0: one, w1 }).finish(hex(N), new Uint8Array(32)),
        'invalid-point', 'Y'),
    },
    {
      name: 'a cB or cA of the wrong length is a mismatch, not a crash',
      run() {
        const p = prover();
        const verifier = lib.startSpake2pVerifier({ context, w0, L }, p.X);
        failsHandshake(lib, () => p.finish(verifier.Y, verifier.cB.subarray(0, 31)), 'confirmation-mismatch', 'cB');
        failsHandshake(lib, () => verifier.finish(new Uint8Array(0)), 'confirmation-mismatch', 'cA');
      },
    },
  ];
}

function argumentChecks(lib: Spake2pModule, data: Spake2pSuiteData): Check[] {
  const b = (n: number) => new Uint8Array(n);
  const v = data.spake2p.vectors[0] ?? fail('no vectors');
  const w0 = hex(v.w0), w1 = hex(v.w1), L = hex(v.L), context = hex(v.context), X = hex(v.X);
  const n = hex(data.spake2p.constants.order_n);
  const nMinus1 = flipped(n, 31); // n is odd: flipping bit 0 of the last byte gives n - 1
  const rejects = (name: string, errorName: string, mentions: string, fn: () => unknown): Check =>
    ({ name, run: () => { throwsNamed(fn, errorName, mentions, name); } });
  const derive = (passcode: unknown, salt: unknown = b(16), iterations: unknown = 1000) =>
    () => lib.computePasscodeVerifier(passcode as number, salt as Uint8Array, iterations as number);
  const invalidPasscodes = [0, 11111111, 22222222, 33333333, 44444444, 55555555, 66666666, 77777777, 88888888,
    99999999, 12345678, 87654321, 100000000, -1, 1.5, NaN];
  return [
    ...invalidPasscodes.map((p) => rejects(`passcode ${p} is a RangeError naming passcode`, 'RangeError', 'passcode', derive(p))),
    rejects('passcode as a string is a RangeError naming passcode', 'RangeError', 'passcode', derive('20202021')),
    {
      name: 'passcodes 1 and 99999998 (the range ends) and 11111112 are accepted',
      run: () => { for (const p of [1, 99999998, 11111112]) equal(derive(p)().w0.length, 32, `passcode ${p}`); },
    },
    rejects('a 15-byte salt is a RangeError naming salt', 'RangeError', 'salt', derive(20202021, b(15))),
    rejects('a 33-byte salt is a RangeError naming salt', 'RangeError', 'salt', derive(20202021, b(33))),
    rejects('a string salt is a TypeError naming salt', 'TypeError', 'salt', derive(20202021, 'SPAKE2P Key Salt')),
    { name: 'a 32-byte salt is accepted', run: () => equal(derive(20202021, b(32))().L.length, 65, 'L') },
    rejects('999 iterations is a RangeError naming iterations', 'RangeError', 'iterations', derive(20202021, b(16), 999)),
    rejects('100001 iterations is a RangeError naming iterations', 'RangeError', 'iterations', derive(20202021, b(16), 100001)),
    rejects('1000.5 iterations is a RangeError naming iterations', 'RangeError', 'iterations', derive(20202021, b(16), 1000.5)),
    rejects('paseContext without a request is a TypeError naming pbkdfParamRequest', 'TypeError', 'pbkdfParamRequest',
      () => lib.paseContext(undefined as never, b(1))),
    rejects('paseContext with a string response is a TypeError naming pbkdfParamResponse', 'TypeError', 'pbkdfParamResponse',
      () => lib.paseContext(b(1), 'response' as never)),
    rejects('prover without a context is a TypeError naming context', 'TypeError', 'context',
      () => lib.startSpake2pProver({ context: undefined as never, w0, w1 })),
    rejects('prover with a string idProver is a TypeError naming idProver', 'TypeError', 'idProver',
      () => lib.startSpake2pProver({ context, idProver: 'client' as never, w0, w1 })),
    rejects('prover with a 31-byte w0 is a RangeError naming w0', 'RangeError', 'w0',
      () => lib.startSpake2pProver({ context, w0: w0.subarray(1), w1 })),
    rejects('prover with w1 = n is a RangeError naming w1', 'RangeError', 'w1', () => lib.startSpake2pProver({ context, w0, w1: n })),
    rejects('prover with w0 = 0 is a RangeError naming w0', 'RangeError', 'w0', () => lib.startSpake2pProver({ context, w0: b(32), w1 })),
    rejects('prover with x = 0 is a RangeError naming x', 'RangeError', 'x', () => lib.startSpake2pProver({ context, w0, w1, x: b(32) })),
    { name: 'prover accepts x = n - 1', run: () => equal(lib.startSpake2pProver({ context, w0, w1, x: nMinus1 }).X.length, 65, 'X') },
    rejects('prover finish with a string Y is a TypeError naming Y', 'TypeError', 'Y',
      () => lib.startSpake2pProver({ context, w0, w1 }).finish('Y' as never, b(32))),
    rejects('verifier with L not on the curve is a RangeError naming L', 'RangeError', 'L',
      () => lib.startSpake2pVerifier({ context, w0, L: flipped(L) }, X)),
    rejects('verifier with a compressed L is a RangeError naming L', 'RangeError', 'L',
      () => lib.startSpake2pVerifier({ context, w0, L: hex(data.spake2p.constants.N_compressed) }, X)),
    rejects('verifier with y = n is a RangeError naming y', 'RangeError', 'y', () => lib.startSpake2pVerifier({ context, w0, L, y: n }, X)),
    rejects('verifier with a w0 array is a TypeError naming w0', 'TypeError', 'w0',
      () => lib.startSpake2pVerifier({ context, w0: Array.from(w0) as never, L }, X)),
    rejects('verifier checks its own arguments before the peer\'s X', 'RangeError', 'L',
      () => lib.startSpake2pVerifier({ context, w0, L: b(65) }, b(3))),
    rejects('verifier without X is a TypeError naming X', 'TypeError', 'X', () => lib.startSpake2pVerifier({ context, w0, L }, undefined as never)),
    rejects('verifier finish with a string cA is a TypeError naming cA', 'TypeError', 'cA',
      () => lib.startSpake2pVerifier({ context, w0, L }, X).finish('cA' as never)),
    rejects('parseVerifier of 96 bytes is a RangeError naming serialized', 'RangeError', 'serialized', () => lib.parseVerifier(b(96))),
    rejects('parseVerifier with L not on the curve is a RangeError naming L', 'RangeError', 'L',
      () => lib.parseVerifier(Uint8Array.of(...w0, ...flipped(L)))),
    rejects('parseVerifier with w0 = n is a RangeError naming w0', 'RangeError', 'w0', () => lib.parseVerifier(Uint8Array.of(...n, ...L))),
    rejects('serializeVerifier with a 64-byte L is a RangeError naming L', 'RangeError', 'L',
      () => lib.serializeVerifier({ w0, L: L.subarray(1) })),
    {
      name: 'Spake2pError is an Error named Spake2pError with a reason',
      run() {
        const error = new lib.Spake2pError('invalid-point', 'X: bad');
        equal(error instanceof Error, true, 'instanceof Error');
        equal(error.name, 'Spake2pError', 'name');
        equal(error.reason, 'invalid-point', 'reason');
      },
    },
  ];
}

function completenessChecks(data: Spake2pSuiteData): Check[] {
  const { vectors, contextVectors, sessionKeyVectors } = data.spake2p;
  return [{
    name: 'spake2p.json and pbkdf.json: every list loaded, every PASE vector complete',
    run() {
      for (const [what, list] of [['vectors', vectors], ['contextVectors', contextVectors],
        ['sessionKeyVectors', sessionKeyVectors], ['pbkdf vectors', data.pbkdf.vectors]] as const) {
        if (list.length === 0) fail(`${what} is empty`);
      }
      for (const v of vectors) {
        if (v.passcode !== undefined && !(v.salt && v.iterations && v.pbkdfParamRequest && v.sessionKeys)) {
          fail(`${v.id}: a PASE vector without its salt, iterations, PBKDF payloads or session keys`);
        }
      }
    },
  }];
}

export function spake2pChecks(lib: Spake2pModule, data: Spake2pSuiteData): Check[] {
  return [
    ...completenessChecks(data),
    ...data.spake2p.vectors.flatMap((v) => vectorChecks(lib, v)),
    ...contextChecks(lib, data),
    ...sessionKeyChecks(lib, data),
    ...passcodeChecks(lib, data),
    ...handshakeChecks(lib, data),
    ...argumentChecks(lib, data),
  ];
}
