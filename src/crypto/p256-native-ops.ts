// The native P-256 backend behind p256.ts: node:crypto (OpenSSL in Node, BoringSSL in Bun), synchronous. Not used in
// Deno (its node:crypto is a compatibility layer that measured slower than @noble) nor where node:crypto is absent
// (browsers, workerd without nodejs_compat). On first use every operation is checked against @noble/curves on fixed
// inputs (and a signature each way); any difference or error keeps @noble for the life of the process.
import { p256 } from '@noble/curves/nist.js';

interface KeyObjectLike { readonly type: string }
interface NodeEcdh {
  setPrivateKey(key: Uint8Array): void;
  getPublicKey(): Uint8Array;
  computeSecret(publicKey: Uint8Array): Uint8Array;
}
interface NodeCrypto {
  createECDH(curve: string): NodeEcdh;
  createPrivateKey(input: { key: object; format: 'jwk' }): KeyObjectLike;
  createPublicKey(input: { key: object; format: 'jwk' }): KeyObjectLike;
  sign(algorithm: string, data: Uint8Array, key: { key: KeyObjectLike; dsaEncoding: 'ieee-p1363' }): Uint8Array;
  verify(algorithm: string, data: Uint8Array, key: { key: KeyObjectLike; dsaEncoding: 'ieee-p1363' }, signature: Uint8Array): boolean;
}

export interface NativeP256 {
  publicKey(privateKey: Uint8Array): Uint8Array;
  sign(privateKey: Uint8Array, message: Uint8Array): Uint8Array;
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  ecdh(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array;
}

const base64url = (b: Uint8Array): string => {
  let text = '';
  for (const byte of b) text += String.fromCharCode(byte);
  return btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
};
const jwkPublic = (publicKey: Uint8Array) =>
  ({ kty: 'EC', crv: 'P-256', x: base64url(publicKey.subarray(1, 33)), y: base64url(publicKey.subarray(33, 65)) });

function backend(crypto: NodeCrypto): NativeP256 {
  const ecdh = crypto.createECDH('prime256v1');
  const publicKey = (privateKey: Uint8Array): Uint8Array => {
    ecdh.setPrivateKey(privateKey);
    return new Uint8Array(ecdh.getPublicKey());
  };
  // Verification keys repeat (a fabric's root, a peer's NOC key across a handshake): a few are kept parsed.
  const publicKeys = new Map<string, KeyObjectLike>();
  const publicKeyObject = (key: Uint8Array): KeyObjectLike => {
    const id = base64url(key);
    let object = publicKeys.get(id);
    if (!object) {
      object = crypto.createPublicKey({ key: jwkPublic(key), format: 'jwk' });
      if (publicKeys.size >= 64) publicKeys.delete(publicKeys.keys().next().value!);
      publicKeys.set(id, object);
    }
    return object;
  };
  return {
    publicKey,
    sign(privateKey, message) {
      const key = crypto.createPrivateKey({ key: { ...jwkPublic(publicKey(privateKey)), d: base64url(privateKey) }, format: 'jwk' });
      return new Uint8Array(crypto.sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }));
    },
    verify(key, message, signature) {
      return crypto.verify('sha256', message, { key: publicKeyObject(key), dsaEncoding: 'ieee-p1363' }, signature);
    },
    ecdh(privateKey, peerPublicKey) {
      ecdh.setPrivateKey(privateKey);
      return new Uint8Array(ecdh.computeSecret(peerPublicKey));
    },
  };
}

function selfCheck(native: NativeP256): boolean {
  try {
    const a = p256.utils.randomSecretKey(), b = p256.utils.randomSecretKey();
    const aPublic = p256.getPublicKey(a, false), bPublic = p256.getPublicKey(b, false);
    const same = (x: Uint8Array, y: Uint8Array) => x.length === y.length && x.every((v, i) => v === y[i]);
    if (!same(native.publicKey(a), aPublic)) return false;
    if (!same(native.ecdh(a, bPublic), p256.getSharedSecret(b, aPublic, true).subarray(1))) return false;
    const message = new TextEncoder().encode('matter-sessions P-256 self-check');
    const nativeSignature = native.sign(a, message);
    const nobleSignature = p256.sign(message, a, { prehash: true, format: 'compact' });
    return p256.verify(nativeSignature, message, aPublic, { prehash: true, lowS: false, format: 'compact' })
      && native.verify(aPublic, message, nobleSignature)
      && !native.verify(bPublic, message, nobleSignature);
  } catch {
    return false;
  }
}

let detected: NativeP256 | undefined | null = null;
let enabled = true;

/** The native backend, or undefined where @noble must do the work. */
export function nativeP256(): NativeP256 | undefined {
  if (!enabled) return undefined;
  if (detected === null) {
    detected = undefined;
    const g = globalThis as { Deno?: unknown; process?: { getBuiltinModule?(id: string): unknown } };
    if (g.Deno === undefined) {
      try {
        const crypto = g.process?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
        if (typeof crypto?.createECDH === 'function' && typeof crypto.sign === 'function') {
          const candidate = backend(crypto);
          if (selfCheck(candidate)) detected = candidate;
        }
      } catch {
        detected = undefined;
      }
    }
  }
  return detected;
}

/** Which backend p256.ts uses here: 'native' (node:crypto) or '@noble'. */
export function p256OperationsBackend(): 'native' | '@noble' {
  return nativeP256() === undefined ? '@noble' : 'native';
}

/** Tests and benchmarks compare both backends in one process; production code never calls this. */
export function useNativeP256Operations(on: boolean): void {
  enabled = on;
}
