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

type Cert = Library.MatterCertificate;
interface ChainParts {
  rcac: Cert; icac?: Cert; noc: Cert;
  /** Who signs each (defaults: root signs RCAC and ICAC, the ICAC (or root) signs the NOC). */
  signers: { rcac: Uint8Array; icac: Uint8Array; noc: Uint8Array };
}

const ROOT_ID = 0x1111n, ICAC_ID = 0x2222n, FABRIC = 0xfab0n, NODE = 0x1234n;
/** 2024-01-01T00:00:00Z in Matter epoch seconds, and the validity the test chain uses (2024 to 2034). */
const NOT_BEFORE = 757_382_400, NOT_AFTER = NOT_BEFORE + 10 * 365 * 86400;

/** A fresh, valid RCAC -> ICAC -> NOC chain as structures, with generated keys. */
function testChain(lib: Lib, keys: { root: Library.P256KeyPair; icac: Library.P256KeyPair; noc: Library.P256KeyPair }, withIcac = true): ChainParts {
  const T = lib.DnTag;
  const base = (subject: Library.DnAttribute[], issuer: Library.DnAttribute[], key: Uint8Array, issuerKey: Uint8Array,
    extensions: Library.CertificateExtension[]): Cert => ({
    serialNumber: Uint8Array.of(0x01, 0x02), signatureAlgorithm: 1, issuer, notBefore: NOT_BEFORE, notAfter: NOT_AFTER, subject,
    publicKeyAlgorithm: 1, ellipticCurve: 1, publicKey: key,
    extensions: [...extensions, { kind: 'subjectKeyId', keyId: lib.keyIdentifier(key) }, { kind: 'authorityKeyId', keyId: lib.keyIdentifier(issuerKey) }],
    signature: new Uint8Array(0),
  });
  const ca = (pathLength?: number): Library.CertificateExtension[] => [
    pathLength === undefined ? { kind: 'basicConstraints', isCa: true } : { kind: 'basicConstraints', isCa: true, pathLength },
    { kind: 'keyUsage', usage: lib.KeyUsage.keyCertSign | lib.KeyUsage.cRLSign },
  ];
  const rootName = [{ tag: T.rcacId, value: ROOT_ID }];
  const icacName = [{ tag: T.icacId, value: ICAC_ID }];
  const issuerKey = withIcac ? keys.icac.publicKey : keys.root.publicKey;
  return {
    rcac: base(rootName, rootName, keys.root.publicKey, keys.root.publicKey, ca(1)),
    ...(withIcac ? { icac: base(icacName, rootName, keys.icac.publicKey, keys.root.publicKey, ca(0)) } : {}),
    noc: base([{ tag: T.nodeId, value: NODE }, { tag: T.fabricId, value: FABRIC }, { tag: T.caseAuthenticatedTag, value: 0x00010001n }],
      withIcac ? icacName : rootName, keys.noc.publicKey, issuerKey, [
        { kind: 'basicConstraints', isCa: false }, { kind: 'keyUsage', usage: lib.KeyUsage.digitalSignature },
        { kind: 'extendedKeyUsage', purposes: [2, 1] },
      ]),
    signers: { rcac: keys.root.privateKey, icac: keys.root.privateKey, noc: withIcac ? keys.icac.privateKey : keys.root.privateKey },
  };
}

function signChain(lib: Lib, parts: ChainParts): { rcac: Uint8Array; icac?: Uint8Array; noc: Uint8Array } {
  return {
    rcac: lib.signMatterCertificate(parts.rcac, parts.signers.rcac),
    ...(parts.icac ? { icac: lib.signMatterCertificate(parts.icac, parts.signers.icac) } : {}),
    noc: lib.signMatterCertificate(parts.noc, parts.signers.noc),
  };
}

type Mutation = [name: string, reason: string, role: string, mutate: (c: ChainParts, lib: Lib) => void, now?: number];

const setExtension = (cert: Cert, kind: Library.CertificateExtension['kind'], value?: Library.CertificateExtension) => {
  const index = cert.extensions.findIndex((e) => e.kind === kind);
  if (value) cert.extensions[index] = value; else cert.extensions.splice(index, 1);
};
const matterMs = (seconds: number) => (seconds + 946_684_800) * 1000;

const MUTATIONS: Mutation[] = [
  ['NOC signed by the root instead of the ICAC', 'bad-signature', 'noc', (c) => { c.signers.noc = c.signers.rcac; }],
  ['ICAC signed by a key other than the root', 'bad-signature', 'icac', (c) => { c.signers.icac = c.signers.noc; }],
  ['RCAC not signed by its own key', 'bad-signature', 'rcac', (c) => { c.signers.rcac = c.signers.noc; }],
  ['NOC authority key id is not the ICAC subject key id', 'chain-key-id', 'noc', (c, lib) => { setExtension(c.noc, 'authorityKeyId', { kind: 'authorityKeyId', keyId: lib.keyIdentifier(c.rcac.publicKey) }); }],
  ['RCAC authority key id differs from its subject key id', 'chain-key-id', 'rcac', (c) => { setExtension(c.rcac, 'authorityKeyId', { kind: 'authorityKeyId', keyId: new Uint8Array(20).fill(7) }); }],
  ['NOC without a subject key id', 'chain-key-id', 'noc', (c) => { setExtension(c.noc, 'subjectKeyId'); }],
  ['NOC issuer DN is not the ICAC subject DN', 'chain-issuer', 'noc', (c, lib) => { c.noc.issuer = [{ tag: lib.DnTag.icacId, value: ICAC_ID + 1n }]; }],
  ['ICAC issuer DN is not the RCAC subject DN', 'chain-issuer', 'icac', (c, lib) => { c.icac!.issuer = [{ tag: lib.DnTag.rcacId, value: ROOT_ID + 1n }]; }],
  ['RCAC not self-issued', 'chain-issuer', 'rcac', (c, lib) => { c.rcac.issuer = [{ tag: lib.DnTag.rcacId, value: ROOT_ID + 1n }]; }],
  ['NOC is a CA', 'chain-basic-constraints', 'noc', (c) => { setExtension(c.noc, 'basicConstraints', { kind: 'basicConstraints', isCa: true }); }],
  ['ICAC is not a CA', 'chain-basic-constraints', 'icac', (c) => { setExtension(c.icac!, 'basicConstraints', { kind: 'basicConstraints', isCa: false }); }],
  ['RCAC pathLen 0 with an ICAC below it', 'chain-basic-constraints', 'rcac', (c) => { setExtension(c.rcac, 'basicConstraints', { kind: 'basicConstraints', isCa: true, pathLength: 0 }); }],
  ['NOC without basicConstraints', 'chain-basic-constraints', 'noc', (c) => { setExtension(c.noc, 'basicConstraints'); }],
  ['NOC keyUsage without digitalSignature', 'chain-key-usage', 'noc', (c) => { setExtension(c.noc, 'keyUsage', { kind: 'keyUsage', usage: 0x04 }); }],
  ['NOC extendedKeyUsage without serverAuth', 'chain-key-usage', 'noc', (c) => { setExtension(c.noc, 'extendedKeyUsage', { kind: 'extendedKeyUsage', purposes: [2] }); }],
  ['ICAC keyUsage without keyCertSign', 'chain-key-usage', 'icac', (c) => { setExtension(c.icac!, 'keyUsage', { kind: 'keyUsage', usage: 0x40 }); }],
  ['RCAC with an extendedKeyUsage', 'chain-key-usage', 'rcac', (c) => { c.rcac.extensions.push({ kind: 'extendedKeyUsage', purposes: [1] }); }],
  ['RCAC fabric id differs from the NOC\'s', 'chain-fabric-id', 'rcac', (c, lib) => { c.rcac.subject.push({ tag: lib.DnTag.fabricId, value: FABRIC + 1n }); c.icac!.issuer = c.rcac.subject; }],
  ['ICAC fabric id differs from the NOC\'s', 'chain-fabric-id', 'icac', (c, lib) => { c.icac!.subject.push({ tag: lib.DnTag.fabricId, value: FABRIC + 1n }); c.noc.issuer = c.icac!.subject; }],
  ['NOC fabric id 0', 'chain-fabric-id', 'noc', (c, lib) => { c.noc.subject[1] = { tag: lib.DnTag.fabricId, value: 0n }; }],
  ['NOC node id 0', 'chain-node-id', 'noc', (c, lib) => { c.noc.subject[0] = { tag: lib.DnTag.nodeId, value: 0n }; }],
  ['NOC node id in the group range', 'chain-node-id', 'noc', (c, lib) => { c.noc.subject[0] = { tag: lib.DnTag.nodeId, value: 0xffff_ffff_ffff_0001n }; }],
  ['NOC with four CATs', 'chain-cat', 'noc', (c, lib) => { c.noc.subject.push(...[0x20001n, 0x30001n, 0x40001n].map((value) => ({ tag: lib.DnTag.caseAuthenticatedTag, value }))); }],
  ['NOC CAT with version 0', 'chain-cat', 'noc', (c, lib) => { c.noc.subject[2] = { tag: lib.DnTag.caseAuthenticatedTag, value: 0x00050000n }; }],
  ['NOC with two CATs of one identifier', 'chain-cat', 'noc', (c, lib) => { c.noc.subject.push({ tag: lib.DnTag.caseAuthenticatedTag, value: 0x00010002n }); }],
  ['NOC without a fabric id', 'chain-subject', 'noc', (c) => { c.noc.subject.splice(1, 1); }],
  ['NOC carrying an rcac id', 'chain-subject', 'noc', (c, lib) => { c.noc.subject.push({ tag: lib.DnTag.rcacId, value: 1n }); }],
  ['RCAC carrying a node id', 'chain-subject', 'rcac', (c, lib) => { c.rcac.subject.push({ tag: lib.DnTag.nodeId, value: 1n }); c.rcac.issuer = c.rcac.subject; c.icac!.issuer = c.rcac.subject; }],
  ['ICAC with two icac ids', 'chain-subject', 'icac', (c, lib) => { c.icac!.subject.push({ tag: lib.DnTag.icacId, value: 9n }); c.noc.issuer = c.icac!.subject; }],
  ['NOC subject with six attributes', 'chain-subject', 'noc', (c, lib) => { c.noc.subject.push(...[1, 2, 3].map((n) => ({ tag: lib.DnTag.commonName, value: `n${n}` }))); }],
  ['NOC with a critical extension Matter does not define', 'chain-critical-extension', 'noc', (c) => {
    c.noc.extensions.push({ kind: 'future', der: hex('300f0603551d200101ff0405300330010a') });
  }],
  ['NOC with notBefore after notAfter', 'malformed-tlv', 'noc', (c) => { c.noc.notBefore = NOT_AFTER + 1; }],
  ['time before the chain\'s notBefore', 'chain-not-yet-valid', 'rcac', () => {}, matterMs(NOT_BEFORE - 1)],
  ['time after the NOC\'s notAfter', 'chain-expired', 'noc', (c) => { c.noc.notAfter = NOT_AFTER - 86400; }, matterMs(NOT_AFTER - 3600)],
];

function chainChecks(lib: Lib, data: CredentialsSuiteData): Check[] {
  const checks: Check[] = [];
  for (const set of data.certificates.sets) {
    checks.push({
      name: `operational-certificates.json: ${set.name} chain validates`,
      run() {
        const input = { rcac: hex(set.ROOT.tlv), ...(set.ICAC ? { icac: hex(set.ICAC.tlv) } : {}), noc: hex(set.NOC.tlv) };
        const result = lib.validateOperationalChain(input);
        equal(result.nodeId, BigInt(set.noc.nodeId), 'nodeId');
        equal(result.fabricId, BigInt(set.noc.fabricId), 'fabricId');
        equal(result.caseAuthenticatedTags.join(','), (set.noc.cats ?? []).join(','), 'CATs');
        equalBytes(result.rootPublicKey, set.rootPublicKey, 'rootPublicKey');
        equalBytes(result.publicKey, lib.decodeOperationalCertificate(input.noc).publicKey, 'publicKey');
        const noc = lib.decodeMatterCertificate(input.noc);
        const inside = matterMs(noc.notBefore + 86400);
        lib.validateOperationalChain({ ...input, now: inside });
        if (noc.notAfter !== 0) {
          const reason = (throwsNamed(() => lib.validateOperationalChain({ ...input, now: new Date(matterMs(noc.notAfter + 1)) }),
            'CertificateError', '', 'after notAfter') as Error & { reason: string }).reason;
          equal(reason, 'chain-expired', 'reason after the NOC expired');
        }
      },
    });
  }
  const keys = { root: lib.generateP256KeyPair(), icac: lib.generateP256KeyPair(), noc: lib.generateP256KeyPair() };
  checks.push({
    name: 'generated chains validate: RCAC -> ICAC -> NOC and RCAC -> NOC, with and without a time',
    run() {
      const full = lib.validateOperationalChain({ ...signChain(lib, testChain(lib, keys)), now: matterMs(NOT_BEFORE + 1) });
      equal(full.nodeId, NODE, 'nodeId');
      equal(full.icacId, ICAC_ID, 'icacId');
      equal(full.rcacId, ROOT_ID, 'rcacId');
      equal(full.caseAuthenticatedTags.join(','), '65537', 'CATs');
      const short = lib.validateOperationalChain(signChain(lib, testChain(lib, keys, false)));
      equal(short.icacId, undefined, 'icacId without an ICAC');
      equalBytes(short.publicKey, keys.noc.publicKey, 'NOC key');
    },
  });
  for (const [name, reason, role, mutate, now] of MUTATIONS) {
    checks.push({
      name: `chain rule broken once: ${name} -> ${reason} (${role})`,
      run() {
        const parts = testChain(lib, keys);
        mutate(parts, lib);
        const chain = signChain(lib, parts);
        const error = throwsNamed(() => lib.validateOperationalChain({ ...chain, ...(now === undefined ? {} : { now }) }),
          'CertificateError', '', name) as Error & { reason: string; role: string };
        equal(error.reason, reason, `${name}: reason (${error.message})`);
        equal(error.role, role, `${name}: role (${error.message})`);
      },
    });
  }
  checks.push({
    name: 'validateOperationalChain names bad arguments',
    run() {
      const chain = signChain(lib, testChain(lib, keys));
      throwsNamed(() => lib.validateOperationalChain({ ...chain, noc: 'x' as unknown as Uint8Array }), 'TypeError', 'noc', 'string noc');
      throwsNamed(() => lib.validateOperationalChain({ ...chain, now: 'today' as unknown as number }), 'TypeError', 'now', 'string now');
      const error = throwsNamed(() => lib.validateOperationalChain({ ...chain, icac: chain.noc.subarray(0, 20) }), 'CertificateError', 'icac', 'cut ICAC') as Error & { reason: string };
      equal(error.reason, 'malformed-tlv', 'cut ICAC reason');
      // Signature algorithm 2 cannot be signed here (the TBS has no encoding for it), so it is set after signing.
      const sha384 = lib.encodeMatterCertificate({ ...lib.decodeMatterCertificate(chain.noc), signatureAlgorithm: 2 });
      const unsupported = throwsNamed(() => lib.validateOperationalChain({ ...chain, noc: sha384 }), 'CertificateError', 'noc', 'algorithm 2') as Error & { reason: string };
      equal(unsupported.reason, 'unsupported-algorithm', 'algorithm 2 reason');
    },
  });
  return checks;
}

function authorityChecks(lib: Lib, data: CredentialsSuiteData): Check[] {
  const now = Date.UTC(2026, 0, 1);
  return [{
    name: 'FabricAuthority: root-only and with an ICAC, NOCs for a public key and for a CSR validate; validity as matter.js',
    run() {
      for (const intermediate of [false, true]) {
        const ca = lib.FabricAuthority.create({ intermediate, now });
        const device = lib.generateP256KeyPair();
        const noc = ca.issueNoc({ csr: lib.createCsr(device), nodeId: 0x42n, fabricId: 7n, caseAuthenticatedTags: [0x00020003], now });
        const result = lib.validateOperationalChain({ rcac: ca.rcac, ...(ca.icac ? { icac: ca.icac } : {}), noc, now });
        equal(result.nodeId, 0x42n, 'nodeId');
        equal(result.fabricId, 7n, 'fabricId');
        equal(result.caseAuthenticatedTags.join(','), String(0x00020003), 'CATs');
        equalBytes(result.publicKey, device.publicKey, 'NOC key is the CSR key');
        equalBytes(result.rootPublicKey, ca.rootPublicKey, 'root key');
        equal(result.icacId, ca.icacId, 'icacId');
        const cert = lib.decodeMatterCertificate(noc);
        const nowSeconds = now / 1000 - 946_684_800, year = 365 * 86400;
        equal(cert.notBefore, nowSeconds - year, 'notBefore = now - 1 year');
        equal(cert.notAfter, nowSeconds + 10 * year, 'notAfter = now + 10 years');
        const info = lib.decodeOperationalCertificate(noc);
        equal(info.extendedKeyUsage?.join(','), '2,1', 'EKU [clientAuth, serverAuth]');
        equalBytes(info.subjectKeyId, lib.keyIdentifier(device.publicKey), 'SKID = SHA-1 of the key');
        if (cert.serialNumber[0]! & 0x80) fail('serial number must be positive');
        const other = ca.issueNoc({ publicKey: device.publicKey, nodeId: 0x43n, fabricId: 7n, now });
        if (toHex(lib.decodeMatterCertificate(other).serialNumber) === toHex(cert.serialNumber)) fail('two NOCs share a serial number');
        lib.certificateToDer(noc);
        equalBytes(lib.certificateFromDer(lib.certificateToDer(noc)), noc, 'issued NOC survives DER and back');
      }
    },
  }, {
    name: 'FabricAuthority: toJSON/fromJSON keeps the root, issues valid NOCs, and refuses a key that does not match',
    run() {
      const ca = lib.FabricAuthority.create({ intermediate: true, fabricId: 9n });
      const json = JSON.parse(JSON.stringify(ca.toJSON()));
      const restored = lib.FabricAuthority.fromJSON(json);
      equalBytes(restored.rcac, ca.rcac, 'rcac');
      equal(restored.fabricId, 9n, 'bound fabric id');
      const noc = restored.issueNoc({ publicKey: lib.generateP256KeyPair().publicKey, nodeId: 5n, fabricId: 9n });
      lib.validateOperationalChain({ rcac: ca.rcac, icac: ca.icac!, noc });
      throwsNamed(() => restored.issueNoc({ publicKey: lib.generateP256KeyPair().publicKey, nodeId: 5n, fabricId: 10n }), 'RangeError', 'fabricId', 'other fabric');
      const wrong = { ...json, icacPrivateKey: json.rootPrivateKey };
      throwsNamed(() => lib.FabricAuthority.fromJSON(wrong), 'RangeError', 'icacPrivateKey', 'swapped key');
      throwsNamed(() => lib.FabricAuthority.fromJSON({ ...json, rcac: json.rcac.slice(0, 40) }), 'CertificateError', '', 'cut rcac');
      ca.dispose();
      throwsNamed(() => ca.toJSON(), 'TypeError', 'disposed', 'disposed authority');
    },
  }, {
    name: 'FabricAuthority.issueNoc names bad arguments and changes nothing',
    run() {
      const ca = lib.FabricAuthority.create();
      const key = lib.generateP256KeyPair().publicKey;
      throwsNamed(() => ca.issueNoc({ publicKey: key, nodeId: 0n, fabricId: 1n }), 'RangeError', 'nodeId', 'node id 0');
      throwsNamed(() => ca.issueNoc({ publicKey: key, nodeId: 0xffff_fff0_0000_0000n, fabricId: 1n }), 'RangeError', 'nodeId', 'non-operational node id');
      throwsNamed(() => ca.issueNoc({ publicKey: key, nodeId: 1n, fabricId: 0n }), 'RangeError', 'fabricId', 'fabric 0');
      throwsNamed(() => ca.issueNoc({ publicKey: key, nodeId: 1n, fabricId: 1n, caseAuthenticatedTags: [0x10001, 0x20001, 0x30001, 0x40001] }), 'RangeError', 'caseAuthenticatedTags', 'four CATs');
      throwsNamed(() => ca.issueNoc({ publicKey: key, nodeId: 1n, fabricId: 1n, caseAuthenticatedTags: [0x10000] }), 'RangeError', 'version 0', 'CAT version 0');
      throwsNamed(() => ca.issueNoc({ nodeId: 1n, fabricId: 1n }), 'TypeError', 'exactly one', 'no key');
      const bad = key.slice(); bad[64] = bad[64]! ^ 1;
      throwsNamed(() => ca.issueNoc({ publicKey: bad, nodeId: 1n, fabricId: 1n }), 'RangeError', 'publicKey', 'point off the curve');
    },
  }, {
    name: 'CSR: the request-info bytes match matter.js for the vector key; the self-signature is checked',
    run() {
      const privateKey = hex(data.certificates.extra.TEST_PRIVATE_KEY!.hex);
      const publicKey = hex(data.certificates.extra.TEST_PUBLIC_KEY!.hex);
      const csr = lib.createCsr({ privateKey, publicKey });
      const info = data.certificates.extra.TEST_CSR_REQUEST_ASN1!.hex;
      equal(toHex(csr).slice(6, 6 + info.length), info, 'CertificationRequestInfo'); // 30 81 xx then the info
      equalBytes(lib.publicKeyFromCsr(csr), publicKey, 'publicKeyFromCsr');
      const tampered = csr.slice();
      const at = csr.findIndex((_, i) => csr[i] === 0x43 && csr[i + 1] === 0x53 && csr[i + 2] === 0x52);
      if (at < 0) fail('no "CSR" in the subject');
      tampered[at] = 0x44; // O=CSR -> O=DSR: the signature no longer covers it
      const error = throwsNamed(() => lib.publicKeyFromCsr(tampered), 'CertificateError', 'self-signature', 'tampered CSR') as Error & { reason: string };
      equal(error.reason, 'bad-csr', 'reason');
      equal((throwsNamed(() => lib.publicKeyFromCsr(csr.subarray(0, 50)), 'CertificateError', '', 'cut CSR') as Error & { reason: string }).reason, 'bad-csr', 'cut CSR reason');
      throwsNamed(() => lib.createCsr({ privateKey, publicKey: lib.generateP256KeyPair().publicKey }), 'RangeError', 'publicKey', 'mismatched key pair');
    },
  }];
}

function attestationTrustChecks(lib: Lib): Check[] {
  return [{
    name: 'test attestation trust: the test PAAs and the test CD signer parse, are self-signed CAs, and carry their ids',
    run() {
      for (const [der, vendorId, keyId] of [[lib.TEST_PAA_NO_VID, undefined, '785ce705'], [lib.TEST_PAA_FFF1, 0xfff1, '6afd2277'],
        [lib.TEST_CD_SIGNER, undefined, '62fa8233']] as const) {
        const cert = lib.parseAttestationCertificate(der);
        if (!lib.ecdsaVerifySha256(cert.publicKey, cert.tbs, cert.signature)) fail('self-signature does not verify');
        equal(cert.basicConstraints?.isCa, true, 'isCA');
        equal(cert.vendorId, vendorId, 'vendor id');
        equal(toHex(cert.subjectKeyId!).slice(0, 8), keyId, 'subject key id');
        equalBytes(cert.subjectDer, cert.issuerDer, 'self-issued');
      }
      equal(lib.TEST_PAAS.length, 2, 'TEST_PAAS');
    },
  }];
}

export function credentialsChecks(lib: Lib, data: CredentialsSuiteData): Check[] {
  return [...derivationChecks(lib, data), ...conversionChecks(lib, data), ...chainChecks(lib, data), ...authorityChecks(lib, data),
    ...attestationTrustChecks(lib)];
}
