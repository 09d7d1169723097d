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

type Role = 'ROOT' | 'ICAC' | 'NOC';
const ROLES: Role[] = ['ROOT', 'ICAC', 'NOC'];

/** The certificate that signed `role` in a set: the root signs itself and the ICAC; the NOC's issuer is the ICAC if any. */
function issuerOf(set: CertificateSetVector, role: Role): CertificateVector {
  return role === 'NOC' && set.ICAC ? set.ICAC : set.ROOT;
}

function conversionChecks(lib: Lib, data: CredentialsSuiteData): Check[] {
  const checks: Check[] = [];
  for (const set of data.certificates.sets) {
    for (const role of ROLES) {
      const vector = set[role];
      if (!vector) continue;
      checks.push({
        name: `operational-certificates.json: ${set.name} ${role}: TLV -> DER -> TLV byte for byte, signature verifies`,
        run() {
          const tlv = hex(vector.tlv);
          const der = lib.certificateToDer(tlv);
          equalBytes(der, vector.signedDerComputed, 'certificateToDer');
          const cert = lib.decodeMatterCertificate(tlv);
          const tbs = lib.tbsCertificateDer(cert);
          if (vector.tbsDerFromSource) equalBytes(tbs, vector.tbsDerFromSource, 'TBS DER against the source');
          equalBytes(lib.certificateFromDer(der), tlv, 'certificateFromDer');
          equalBytes(lib.encodeMatterCertificate(cert), tlv, 'decode then encode the TLV');
          const issuer = lib.decodeMatterCertificate(hex(issuerOf(set, role).tlv));
          if (!lib.ecdsaVerifySha256(issuer.publicKey, tbs, cert.signature)) fail('the signature does not verify with the issuer key');
          const x509 = lib.parseX509Certificate(der);
          equalBytes(x509.tbs, tbs, 'parsed TBS');
          if (role === 'ROOT') equalBytes(cert.publicKey, set.rootPublicKey, 'root public key');
        },
      });
    }
  }
  checks.push({
    name: 'operational-certificates.json: NOC with three CATs (TBS from the source) survives DER -> TLV -> DER with the CATs in place',
    run() {
      const tbs = hex(data.certificates.extra.TEST_NOC_CERT_CAT_ASN1!.hex);
      // Wrap the source's TBS into a certificate with a well-formed (not valid) signature: the conversion only
      // needs the structure.
      const signature = lib.ecdsaRawToDer(new Uint8Array(64).fill(1));
      const der = derSequence([tbs, hex('300a06082a8648ce3d040302'), derBitString(signature)]);
      const tlv = lib.certificateFromDer(der);
      const cert = lib.decodeMatterCertificate(tlv);
      const cats = cert.subject.filter((a) => a.tag === lib.DnTag.caseAuthenticatedTag).map((a) => Number(a.value));
      equal(cats.join(','), [0x12345678, 0x56789012, 0x90123456].join(','), 'CATs in order');
      equalBytes(lib.tbsCertificateDer(cert), tbs, 'TBS rebuilt from the TLV');
      equalBytes(lib.certificateToDer(tlv), der, 'certificateToDer');
    },
  });
  const general = data.certificates.sets[0]!;
  const reasonOf = (fn: () => unknown, what: string): string =>
    (throwsNamed(fn, 'CertificateError', '', what) as Error & { reason: string }).reason;
  checks.push({
    name: 'malformed TLV, unsupported algorithms and malformed DER are typed CertificateErrors',
    run() {
      const tlv = hex(general.NOC.tlv);
      equal(reasonOf(() => lib.certificateToDer(tlv.subarray(0, tlv.length - 1)), 'truncated TLV'), 'malformed-tlv', 'truncated TLV');
      equal(reasonOf(() => lib.certificateToDer(hex('1518')), 'empty structure'), 'malformed-tlv', 'empty structure');
      const cert = lib.decodeMatterCertificate(tlv);
      const sha384 = lib.encodeMatterCertificate({ ...cert, signatureAlgorithm: 2 });
      equal(reasonOf(() => lib.certificateToDer(sha384), 'signature algorithm 2'), 'unsupported-algorithm', 'algorithm 2');
      const der = hex(general.NOC.signedDerComputed);
      equal(reasonOf(() => lib.certificateFromDer(der.subarray(0, der.length - 1)), 'truncated DER'), 'malformed-der', 'truncated DER');
      const trailing = Uint8Array.from([...der, 0]);
      equal(reasonOf(() => lib.certificateFromDer(trailing), 'trailing byte'), 'malformed-der', 'trailing byte');
      // The same TBS with notBefore (2021, a UTCTime) rewritten as a GeneralizedTime: valid DER, but the TLV form
      // would give back a UTCTime and the signature could never verify, so it is refused.
      const x509 = lib.parseX509Certificate(der);
      const tbsContent = toHex(x509.tbs.subarray(4)); // the TBS is longer than 255 bytes: 30 82 xx xx
      const utcTime = '301e170d3231303631303030303030305a'; // validity { 210610000000Z, ... }
      if (!tbsContent.includes(utcTime)) fail('the NOC vector has no validity from 2021-06-10');
      const generalized = derTagged(0x30, hex(tbsContent.replace(utcTime, '3020180f32303231303631303030303030305a')));
      const signature = der.subarray(4 + x509.tbs.length + 12);
      const regenerated = derSequence([generalized, hex('300a06082a8648ce3d040302'), signature]);
      throwsNamed(() => lib.certificateFromDer(regenerated), 'CertificateError', 'cannot reproduce', 'GeneralizedTime before 2050');
      equal(reasonOf(() => lib.certificateFromDer(derSequence([x509.tbs, hex('300a06082a8648ce3d040303'), signature])),
        'ecdsa-with-SHA384'), 'unsupported-algorithm', 'ecdsa-with-SHA384 outer algorithm');
      equal(reasonOf(() => lib.certificateFromDer(hex(general.ROOT.signedDerComputed.replace('0c103030', '13103030'))),
        'rcac id as a PrintableString'), 'malformed-der', 'rcac id as a PrintableString');
    },
  });
  return checks;
}

/** Minimal DER helpers for building test inputs (short and two-byte lengths). */
function derLength(n: number): number[] {
  return n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
}
function derTagged(tag: number, content: Uint8Array): Uint8Array {
  return Uint8Array.from([tag, ...derLength(content.length), ...content]);
}
const derSequence = (parts: Uint8Array[]): Uint8Array => derTagged(0x30, Uint8Array.from(parts.flatMap((p) => [...p])));
const derBitString = (content: Uint8Array): Uint8Array => derTagged(0x03, Uint8Array.from([0, ...content]));

export function credentialsChecks(lib: Lib, data: CredentialsSuiteData): Check[] {
  return [...derivationChecks(lib, data), ...conversionChecks(lib, data)];
}
