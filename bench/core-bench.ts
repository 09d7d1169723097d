// AES-128-CCM seal/open per message against node:crypto (OpenSSL, AES-NI) and matter.js's pure-JS Ccm (its
// StandardCrypto path, used wherever node:crypto is missing), plus session-id allocate+release.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { StandardCrypto } from '@matter/general';
import { AesCcmKey, SessionIdAllocator, open, seal } from '../src/index.js';
import { measure, pairedRatio, type Candidate } from './measure.js';

export const PAYLOAD_SIZES = [16, 64, 256, 1024, 4096];
const AAD_LENGTH = 24;
const TAG = 16;

export interface CcmRow {
  operation: 'seal' | 'open';
  payload: number;
  results: Record<string, { messagesPerSecond: number; megabytesPerSecond: number }>;
  ratioToNodeCrypto: Record<string, number>;
  ratioToMatterJs: Record<string, number>;
}

function nodeSeal(key: Buffer, nonce: Buffer, pt: Uint8Array, aad: Uint8Array): Buffer {
  const c = createCipheriv('aes-128-ccm', key, nonce, { authTagLength: TAG });
  c.setAAD(aad, { plaintextLength: pt.length });
  const body = c.update(pt);
  c.final();
  return Buffer.concat([body, c.getAuthTag()]);
}

function nodeOpen(key: Buffer, nonce: Buffer, sealed: Uint8Array, aad: Uint8Array): Buffer {
  const length = sealed.length - TAG;
  const d = createDecipheriv('aes-128-ccm', key, nonce, { authTagLength: TAG });
  d.setAuthTag(sealed.subarray(length));
  d.setAAD(aad, { plaintextLength: length });
  const pt = d.update(sealed.subarray(0, length));
  d.final();
  return pt;
}

export function benchCcm(sizes: number[] = PAYLOAD_SIZES): CcmRow[] {
  const standard = new StandardCrypto();
  // matter.js types its results as BufferSource; at run time they are Uint8Arrays.
  const matter = {
    encrypt: (key: Uint8Array, pt: Uint8Array, nonce: Uint8Array, aad: Uint8Array) => standard.encrypt(key, pt, nonce, aad) as Uint8Array,
    decrypt: (key: Uint8Array, ct: Uint8Array, nonce: Uint8Array, aad: Uint8Array) => standard.decrypt(key, ct, nonce, aad) as Uint8Array,
  };
  const rows: CcmRow[] = [];
  for (const size of sizes) {
    const key = randomBytes(16), nonce = randomBytes(13), aad = randomBytes(AAD_LENGTH), pt = randomBytes(size);
    const slot = new AesCcmKey(key);
    const sealed = seal(key, nonce, pt, aad);
    const sealOut = new Uint8Array(size + TAG), openOut = new Uint8Array(size);
    let sink = 0;
    const sealCandidates: Candidate[] = [
      { name: 'matter-sessions (key slot)', op: () => { sink ^= slot.seal(nonce, pt, aad)[0]!; } },
      { name: 'matter-sessions (into buffer)', op: () => { sink ^= slot.sealInto(sealOut, nonce, pt, aad); } },
      { name: 'node:crypto', op: () => { sink ^= nodeSeal(key, nonce, pt, aad)[0]!; } },
      { name: 'matter.js', op: () => { sink ^= matter.encrypt(key, pt, nonce, aad)[0]!; } },
    ];
    const openCandidates: Candidate[] = [
      { name: 'matter-sessions (key slot)', op: () => { sink ^= slot.open(nonce, sealed, aad)[0]!; } },
      { name: 'matter-sessions (into buffer)', op: () => { sink ^= slot.openInto(openOut, nonce, sealed, aad); } },
      { name: 'node:crypto', op: () => { sink ^= nodeOpen(key, nonce, sealed, aad)[0]!; } },
      { name: 'matter.js', op: () => { sink ^= matter.decrypt(key, sealed, nonce, aad)[0]!; } },
    ];
    // Sanity: every candidate computes the same thing before it is timed.
    const reference = Buffer.from(sealed).toString('hex');
    for (const check of [nodeSeal(key, nonce, pt, aad), matter.encrypt(key, pt, nonce, aad), slot.seal(nonce, pt, aad)]) {
      if (Buffer.from(check).toString('hex') !== reference) throw new Error(`candidates disagree at ${size} bytes`);
    }
    if (Buffer.compare(Buffer.from(open(key, nonce, sealed, aad)), pt) !== 0) throw new Error('open disagrees');

    for (const [operation, candidates] of [['seal', sealCandidates], ['open', openCandidates]] as const) {
      const measured = measure(candidates, { rounds: 15, sliceMs: 40, warmupMs: 150 });
      const byName = Object.fromEntries(measured.map((m) => [m.name, m]));
      const results: CcmRow['results'] = {};
      const ratioToNodeCrypto: Record<string, number> = {};
      const ratioToMatterJs: Record<string, number> = {};
      for (const m of measured) {
        results[m.name] = { messagesPerSecond: m.opsPerSecond, megabytesPerSecond: (m.opsPerSecond * size) / 1e6 };
        ratioToNodeCrypto[m.name] = pairedRatio(m, byName['node:crypto']!);
        ratioToMatterJs[m.name] = pairedRatio(m, byName['matter.js']!);
      }
      rows.push({ operation, payload: size, results, ratioToNodeCrypto, ratioToMatterJs });
    }
    slot.dispose();
    if (sink === 0.5) console.log(sink); // keeps the results observable to the optimiser
  }
  return rows;
}

export interface AllocatorRow { live: number; allocateReleasePerSecond: number }

export function benchAllocator(): AllocatorRow[] {
  return [1000, 65000].map((live) => {
    const a = new SessionIdAllocator();
    for (let n = 0; n < live; n++) a.allocate();
    const [m] = measure([{ name: 'allocate+release', op: () => a.release(a.allocate()) }]);
    if (a.size !== live) throw new Error('allocator drifted during the bench');
    a.dispose();
    return { live, allocateReleasePerSecond: m!.opsPerSecond };
  });
}
