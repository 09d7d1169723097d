// SPAKE2+ as Matter PASE runs it, one object per role. Each role's steps come in the only order the protocol allows
// (Pake1 -> Pake2 -> Pake3), each step can run once, and a secret comes out only after the peer's confirmation
// checked out in constant time: the PASE state machines just carry bytes between these calls and the messages.
import { equalBytes } from '@noble/curves/utils.js';
import { bytes, optionalBytes } from '../core/arguments.js';
import { sha256 } from './hashes.js';
import type { ProverSecrets, VerifierSecrets } from './passcode-verifier.js';
import { Spake2pError } from './spake2p-error.js';
import {
  encodePoint, peerPoint, pointArgument, randomScalar, scalarArgument, scalarToBytes,
} from './spake2p-group.js';
import {
  masks, proverShare, proverSharedPoints, verifierShare, verifierSharedPoints, type Masks,
} from './spake2p-shares.js';
import { keySchedule, transcript, type KeySchedule } from './spake2p-transcript.js';

const PASE_CONTEXT_PREFIX = new TextEncoder().encode('CHIP PAKE V1 Commissioning');

/**
 * The SPAKE2+ context of a PASE handshake: SHA-256("CHIP PAKE V1 Commissioning" | PBKDFParamRequest | PBKDFParamResponse),
 * over the two TLV payloads exactly as sent (no message or exchange headers).
 */
export function paseContext(pbkdfParamRequest: Uint8Array, pbkdfParamResponse: Uint8Array): Uint8Array {
  const request = bytes('pbkdfParamRequest', pbkdfParamRequest);
  const response = bytes('pbkdfParamResponse', pbkdfParamResponse);
  const message = new Uint8Array(PASE_CONTEXT_PREFIX.length + request.length + response.length);
  message.set(PASE_CONTEXT_PREFIX);
  message.set(request, PASE_CONTEXT_PREFIX.length);
  message.set(response, PASE_CONTEXT_PREFIX.length + request.length);
  return sha256(message);
}

/** What both sides bind into the transcript. PASE leaves the identities empty; other SPAKE2+ profiles name them. */
export interface Spake2pBinding {
  /** PASE: `paseContext(request, response)`. */
  context: Uint8Array;
  idProver?: Uint8Array;
  idVerifier?: Uint8Array;
}

export interface Spake2pProverOptions extends Spake2pBinding, ProverSecrets {
  /** The ephemeral scalar x (32 bytes big-endian, 1..n-1), for test vectors only; random when absent. */
  x?: Uint8Array;
}

export interface Spake2pVerifierOptions extends Spake2pBinding, VerifierSecrets {
  /** The ephemeral scalar y (32 bytes big-endian, 1..n-1): test vectors, and a fleet resuming a parked handshake; random when absent. */
  y?: Uint8Array;
}

/** The commissioner's side: send `X` in Pake1, then pass Pake2's Y and cB to `finish`. */
export interface Spake2pProver {
  /** pA for Pake1: X = x*G + w0*M (65 bytes). */
  readonly X: Uint8Array;
  /**
   * Checks the device's cB and returns cA for Pake3 with Ke, the secret of `derivePaseSessionKeys`. Throws
   * Spake2pError for a bad Y or a wrong cB (another passcode): then the handshake is over. Runs once.
   */
  finish(Y: Uint8Array, cB: Uint8Array): Spake2pProverResult;
}

export interface Spake2pProverResult {
  /** HMAC(KcA, Y), for Pake3 (32 bytes). */
  cA: Uint8Array;
  /** The shared secret (16 bytes). */
  Ke: Uint8Array;
}

/** The device's side, built from Pake1's X: send `Y` and `cB` in Pake2, then pass Pake3's cA to `finish`. */
export interface Spake2pVerifier {
  /** pB for Pake2: Y = y*G + w0*N (65 bytes). */
  readonly Y: Uint8Array;
  /** HMAC(KcB, X), for Pake2 (32 bytes). */
  readonly cB: Uint8Array;
  /** Checks the commissioner's cA and returns Ke; throws Spake2pError if it is wrong. Runs once. */
  finish(cA: Uint8Array): Uint8Array;
}

interface BoundTranscript {
  context: Uint8Array;
  idProver: Uint8Array;
  idVerifier: Uint8Array;
}

function binding({ context, idProver, idVerifier }: Spake2pBinding): BoundTranscript {
  return {
    context: bytes('context', context),
    idProver: optionalBytes('idProver', idProver),
    idVerifier: optionalBytes('idVerifier', idVerifier),
  };
}

function ephemeralScalar(name: string, injected: Uint8Array | undefined): bigint {
  return injected === undefined ? randomScalar() : scalarArgument(name, injected);
}

/** A step that may run once: the second call is a bug in the caller, not something the peer can cause. */
function once<A extends unknown[], R>(step: string, run: (...args: A) => R): (...args: A) => R {
  let done = false;
  return (...args) => {
    if (done) throw new Error(`${step}: this SPAKE2+ step already ran; start a new handshake`);
    done = true;
    return run(...args);
  };
}

function confirm(name: string, received: Uint8Array, expected: Uint8Array, keys: KeySchedule): void {
  if (!equalBytes(bytes(name, received), expected)) {
    keys.Ke.fill(0);
    throw new Spake2pError('confirmation-mismatch', `${name}: the confirmation does not match (a different passcode?)`);
  }
}

/** Commissioner: computes X for Pake1. Argument errors (TypeError, RangeError) name the option. */
export function startSpake2pProver(options: Spake2pProverOptions): Spake2pProver {
  const bound = binding(options);
  const w0 = scalarArgument('w0', options.w0), w1 = scalarArgument('w1', options.w1);
  const x = ephemeralScalar('x', options.x);
  const X = encodePoint(proverShare(x, w0));
  return {
    X: X.slice(),
    finish: once('finish', (Y: Uint8Array, cB: Uint8Array): Spake2pProverResult => {
      const { Z, V } = proverSharedPoints(x, w0, w1, peerPoint('Y', Y));
      const keys = keySchedule(transcript({ ...bound, X, Y, Z, V, w0: scalarToBytes(w0) }), X, Y);
      confirm('cB', cB, keys.cB, keys);
      return { cA: keys.cA, Ke: keys.Ke };
    }),
  };
}

// A device answers every handshake with the same stored w0 (PaseResponder passes the same array each time), so its
// masks w0*M and w0*N are kept beside that array: two of the verifier's four multiplications, once per verifier.
// Keyed weakly on the caller's array and checked against a copy of its bytes, so a mutated or dropped array never
// gets stale or retained masks; the masks are no more secret than w0, which the caller holds anyway.
const verifierMasks = new WeakMap<Uint8Array, { w0: Uint8Array; masks: Masks }>();

function masksFor(w0Bytes: Uint8Array, w0: bigint): Masks {
  const cached = verifierMasks.get(w0Bytes);
  if (cached !== undefined && equalBytes(cached.w0, w0Bytes)) return cached.masks;
  const computed = masks(w0);
  verifierMasks.set(w0Bytes, { w0: w0Bytes.slice(), masks: computed });
  return computed;
}

/**
 * Device: takes Pake1's X and computes Y and cB for Pake2. Argument errors name the option; a bad X is a
 * Spake2pError.
 */
export function startSpake2pVerifier(options: Spake2pVerifierOptions, X: Uint8Array): Spake2pVerifier {
  const bound = binding(options);
  const w0 = scalarArgument('w0', options.w0);
  const L = pointArgument('L', options.L);
  const y = ephemeralScalar('y', options.y);
  const { w0M, w0N } = masksFor(options.w0, w0);
  const { Z, V } = verifierSharedPoints(y, w0, L, peerPoint('X', X), w0M);
  const Y = encodePoint(verifierShare(y, w0, w0N));
  const keys = keySchedule(transcript({ ...bound, X, Y, Z, V, w0: scalarToBytes(w0) }), X, Y);
  return {
    Y: Y.slice(),
    cB: keys.cB,
    finish: once('finish', (cA: Uint8Array): Uint8Array => {
      confirm('cA', cA, keys.cA, keys);
      return keys.Ke;
    }),
  };
}
