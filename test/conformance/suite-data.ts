// Builds the conformance suite's data in Node: the shared AES-CCM vectors plus oracle cases whose expected output
// node:crypto (OpenSSL, an independent implementation) computes now. Covers what the vector file lacks: the
// 0xFFFE long-form AAD, the largest payload a 13-byte nonce allows, and every nonce/tag length pairing.
import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { toHex } from './check.js';
import { seededBytes, type CcmVector, type OracleCase, type SuiteData } from './core-suite.js';
import type { SessionSuiteData } from './session-suite.js';
import type { AllSuiteData } from './all-suites.js';
import type { CredentialsSuiteData } from './credentials-suite.js';

export const vectorsDir = fileURLToPath(new URL('../../../shared/vectors/', import.meta.url));

export function readVectors<T>(file: string): T {
  return JSON.parse(readFileSync(vectorsDir + file, 'utf8')) as T;
}

/** AES-128-CCM through node:crypto: ciphertext || tag. */
export function nodeSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, tagLength: number):
  Uint8Array {
  const cipher = createCipheriv('aes-128-ccm', key, nonce, { authTagLength: tagLength });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  // OpenSSL needs an update() call even for an empty message, with a non-pooled buffer.
  const body = cipher.update(plaintext.length ? plaintext : Buffer.alloc(0));
  return Buffer.concat([body, cipher.final(), cipher.getAuthTag()]);
}

function oracleCase(name: string, seed: number, nonceLength: number, tagLength: number, aadLength: number,
  plaintextLength: number): OracleCase {
  const key = seededBytes(seed + 2, 16), nonce = seededBytes(seed + 3, nonceLength);
  const sealed = nodeSeal(key, nonce, seededBytes(seed + 1, plaintextLength), seededBytes(seed, aadLength), tagLength);
  return { name, key: toHex(key), nonce: toHex(nonce), tagLength, aadLength, plaintextLength, seed, sealed: toHex(sealed) };
}

export function oracleCases(): OracleCase[] {
  const cases = [
    oracleCase('aad 65279 bytes (last 2-byte length form)', 11, 13, 16, 0xfeff, 40),
    oracleCase('aad 65280 bytes (first 0xFFFE long form)', 12, 13, 16, 0xff00, 40),
    oracleCase('aad 70000 bytes, empty plaintext', 13, 12, 8, 70000, 0),
    oracleCase('plaintext 65535 bytes (13-byte nonce maximum)', 14, 13, 16, 24, 65535),
    oracleCase('plaintext 70000 bytes with a 12-byte nonce', 15, 12, 16, 24, 70000),
    oracleCase('plaintext 100000 bytes with a 7-byte nonce', 16, 7, 4, 3, 100000),
  ];
  let seed = 100;
  for (let nonceLength = 7; nonceLength <= 13; nonceLength++) {
    for (let tagLength = 4; tagLength <= 16; tagLength += 2) {
      for (const [aad, pt] of [[0, 0], [0, 1], [1, 0], [14, 15], [15, 16], [16, 17], [24, 64], [30, 1024]] as const) {
        cases.push(oracleCase(`nonce ${nonceLength} tag ${tagLength} aad ${aad} pt ${pt}`, seed++, nonceLength, tagLength, aad, pt));
      }
    }
  }
  return cases;
}

export function suiteData(): SuiteData {
  const { vectors } = readVectors<{ vectors: CcmVector[] }>('aes-ccm-128.json');
  return { ccmVectors: vectors, oracleCases: oracleCases() };
}

export function sessionSuiteData(): SessionSuiteData {
  return {
    messageHeader: readVectors('message-header.json'),
    unicastMessages: readVectors('message-encryption-unicast.json'),
    eviction: readVectors('session-eviction.json'),
    sessionKeys: readVectors('session-keys.json'),
    statusReports: readVectors<{ statusReport: { vectors: SessionSuiteData['statusReports'] } }>('pase-messages.json').statusReport.vectors,
  };
}

/** Everything the runtimes' run of all suites needs, as JSON-serialisable data. */
export function allSuiteData(): AllSuiteData {
  return {
    core: suiteData(),
    session: sessionSuiteData(),
    crypto: { hkdf: readVectors('hkdf-sha256.json'), sessionKeys: readVectors('session-keys.json'), pbkdf: readVectors('pbkdf.json') },
    counters: { counterScenarios: readVectors<{ vectors: never[] }>('message-counter.json').vectors },
    tlv: { tlvVectors: readVectors<{ vectors: never[] }>('tlv.json').vectors },
    spake2p: { spake2p: readVectors('spake2p.json'), pbkdf: readVectors('pbkdf.json') },
    credentials: credentialsSuiteData(),
  };
}

export function credentialsSuiteData(): CredentialsSuiteData {
  return {
    certificates: readVectors('operational-certificates.json'),
    destinationId: readVectors('destination-id.json'),
    compressedFabricId: readVectors('compressed-fabric-id.json'),
    hkdf: readVectors('hkdf-sha256.json'),
  };
}
