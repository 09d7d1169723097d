// X.509 v3 certificates (RFC 5280 §4.1) as Matter uses them: ECDSA-with-SHA256 over P-256, names of single-valued
// RDNs, and the basicConstraints, keyUsage, extendedKeyUsage and key-identifier extensions (Matter Core spec §6.5 for
// operational certificates, §6.2 for attestation certificates). The parse is structural and strict; what a
// certificate must contain for its role is checked by the chain validators.
import { ecdsaDerToRaw } from '../crypto/p256.js';
import { CertificateError } from './certificate-error.js';
import {
  DerTag, contextTag, decodeDer, expectTag, members, readBitString, readBoolean, readOctetAlignedBits,
  readOctetString, readOid, readSmallUnsigned, readString, readTime, type DerNode,
} from './der-reader.js';
import { OID } from './object-identifiers.js';

/** Matter's DER certificates are at most 600 bytes (connectedhomeip kMaxDERCertLength); this bound leaves room. */
export const MAX_X509_LENGTH = 1024;

/** One AttributeTypeAndValue of a name, in order. `stringTag` is the DER string type it was written with. */
export interface X509Attribute { oid: string; stringTag: number; value: string }

export interface X509Extension {
  oid: string;
  critical: boolean;
  /** The extnValue OCTET STRING's content (the extension's own DER). */
  value: Uint8Array;
  /** The whole Extension SEQUENCE. */
  encoded: Uint8Array;
}

export interface X509Certificate {
  /** The whole certificate and the TBSCertificate the signature covers. */
  der: Uint8Array;
  tbs: Uint8Array;
  /** Content octets of the serial number INTEGER. */
  serialNumber: Uint8Array;
  issuer: X509Attribute[];
  subject: X509Attribute[];
  /** The issuer and subject Name encodings, compared byte for byte in chains. */
  issuerDer: Uint8Array;
  subjectDer: Uint8Array;
  /** Seconds since the Unix epoch, and which DER time type each was written with. */
  notBefore: number;
  notAfter: number;
  notBeforeTag: number;
  notAfterTag: number;
  /** 65-byte uncompressed P-256 point. */
  publicKey: Uint8Array;
  extensions: X509Extension[];
  basicConstraints?: { isCa: boolean; pathLength?: number };
  /** RFC 5280 KeyUsage bit i as bit i of the number (digitalSignature = 1, keyCertSign = 0x20 ...). */
  keyUsage?: number;
  extendedKeyUsage?: string[];
  subjectKeyId?: Uint8Array;
  authorityKeyId?: Uint8Array;
  /** Raw r ‖ s. */
  signature: Uint8Array;
}

const malformed = (message: string): never => { throw new CertificateError('malformed-der', message); };
const unsupported = (message: string): never => { throw new CertificateError('unsupported-algorithm', message); };

export function parseX509Certificate(der: Uint8Array): X509Certificate {
  if (!(der instanceof Uint8Array)) throw new TypeError(`der: expected a Uint8Array, got ${typeof der}`);
  if (der.length > MAX_X509_LENGTH) {
    malformed(`certificate of ${der.length} bytes; at most ${MAX_X509_LENGTH} are accepted`);
  }
  const root = decodeDer(der, 'der');
  const [tbsNode, outerAlgorithm, signatureBits] = members(root, DerTag.SEQUENCE, 'Certificate', { min: 3, max: 3 });
  checkSignatureAlgorithm(outerAlgorithm!, 'Certificate.signatureAlgorithm');
  const tbs = members(tbsNode, DerTag.SEQUENCE, 'TBSCertificate', { min: 7, max: 8 });
  const [version, serial, algorithm, issuer, validity, subject, spki, extensions] = tbs as [DerNode, ...DerNode[]];
  const [versionValue] = members(version, contextTag(0), 'TBSCertificate.version', { min: 1, max: 1 });
  if (readSmallUnsigned(versionValue, 'version') !== 2) malformed('TBSCertificate.version: expected v3 (2)');
  expectTag(serial, DerTag.INTEGER, 'serialNumber');
  checkSignatureAlgorithm(algorithm!, 'TBSCertificate.signature');
  if (!bytesEqual(algorithm!.encoded, outerAlgorithm!.encoded)) malformed('the two signature algorithm fields differ');
  const [notBefore, notAfter] = members(validity, DerTag.SEQUENCE, 'validity', { min: 2, max: 2 });
  const signatureDer = readOctetAlignedBits(signatureBits, 'signatureValue');
  let signature: Uint8Array;
  try {
    signature = ecdsaDerToRaw(signatureDer);
  } catch {
    return malformed('signatureValue: expected an ECDSA-Sig-Value SEQUENCE { r, s }');
  }
  const cert: X509Certificate = {
    der: root.encoded, tbs: tbsNode!.encoded, serialNumber: serial!.content,
    issuer: readName(issuer, 'issuer'), subject: readName(subject, 'subject'),
    issuerDer: issuer!.encoded, subjectDer: subject!.encoded,
    notBefore: readTime(notBefore, 'notBefore'), notAfter: readTime(notAfter, 'notAfter'),
    notBeforeTag: notBefore!.tag, notAfterTag: notAfter!.tag,
    publicKey: readPublicKey(spki), extensions: [], signature,
  };
  if (extensions) readExtensions(cert, extensions);
  return cert;
}

function checkSignatureAlgorithm(node: DerNode, what: string): void {
  const parts = members(node, DerTag.SEQUENCE, what, { min: 1, max: 1 });
  const oid = readOid(parts[0], `${what}.algorithm`);
  // RFC 5758 §3.2: ecdsa-with-SHA256 has no parameters (not even NULL).
  if (oid !== OID.ecdsaWithSha256) {
    unsupported(`${what}: expected ecdsa-with-SHA256 (${OID.ecdsaWithSha256}), got ${oid}`);
  }
}

/** Name ::= SEQUENCE OF RDN; Matter writes one AttributeTypeAndValue per RDN and so do we. */
export function readName(node: DerNode | undefined, what: string): X509Attribute[] {
  return members(node, DerTag.SEQUENCE, what).map((rdn, i) => {
    const [atv] = members(rdn, DerTag.SET, `${what}[${i}]`, { min: 1, max: 1 });
    const [type, value] = members(atv, DerTag.SEQUENCE, `${what}[${i}]`, { min: 2, max: 2 });
    return { oid: readOid(type, `${what}[${i}].type`), stringTag: value!.tag, value: readString(value, `${what}[${i}].value`) };
  });
}

/** SubjectPublicKeyInfo: id-ecPublicKey on prime256v1, a 65-byte uncompressed point. */
export function readPublicKey(node: DerNode | undefined): Uint8Array {
  const [algorithm, key] = members(node, DerTag.SEQUENCE, 'subjectPublicKeyInfo', { min: 2, max: 2 });
  const [keyType, curve] = members(algorithm, DerTag.SEQUENCE, 'subjectPublicKeyInfo.algorithm', { min: 2, max: 2 });
  const keyOid = readOid(keyType, 'subjectPublicKeyInfo.algorithm');
  if (keyOid !== OID.ecPublicKey) unsupported(`public key algorithm ${keyOid}; expected id-ecPublicKey`);
  const curveOid = readOid(curve, 'subjectPublicKeyInfo.parameters');
  if (curveOid !== OID.prime256v1) unsupported(`curve ${curveOid}; expected prime256v1`);
  const point = readOctetAlignedBits(key, 'subjectPublicKey');
  if (point.length !== 65 || point[0] !== 0x04) {
    unsupported('subjectPublicKey: expected a 65-byte uncompressed P-256 point');
  }
  return point;
}

function readExtensions(cert: X509Certificate, node: DerNode): void {
  const [list] = members(node, contextTag(3), 'extensions', { min: 1, max: 1 });
  const seen = new Set<string>();
  for (const [i, extension] of members(list, DerTag.SEQUENCE, 'extensions', { min: 1 }).entries()) {
    const parts = members(extension, DerTag.SEQUENCE, `extensions[${i}]`, { min: 2, max: 3 });
    const oid = readOid(parts[0], `extensions[${i}].extnID`);
    if (seen.has(oid)) malformed(`extension ${oid} appears twice (RFC 5280 §4.2)`);
    seen.add(oid);
    let critical = false;
    if (parts.length === 3) {
      critical = readBoolean(parts[1], `extensions[${i}].critical`);
      // DER: a value equal to the DEFAULT is omitted.
      if (!critical) malformed(`extensions[${i}].critical: FALSE is the default and must be omitted in DER`);
    }
    const value = readOctetString(parts[parts.length - 1], `extensions[${i}].extnValue`);
    cert.extensions.push({ oid, critical, value, encoded: extension.encoded });
    readKnownExtension(cert, oid, value, `extensions[${i}]`);
  }
}

function readKnownExtension(cert: X509Certificate, oid: string, value: Uint8Array, what: string): void {
  switch (oid) {
    case OID.basicConstraints: {
      const parts = members(decodeDer(value, what), DerTag.SEQUENCE, `${what} basicConstraints`, { max: 2 });
      let index = 0, isCa = false;
      if (parts[index]?.tag === DerTag.BOOLEAN) {
        isCa = readBoolean(parts[index++], 'basicConstraints.cA');
        if (!isCa) malformed('basicConstraints.cA: FALSE is the default and must be omitted in DER');
      }
      const pathLength = parts[index] ? readSmallUnsigned(parts[index++], 'basicConstraints.pathLenConstraint') : undefined;
      if (index !== parts.length) malformed('basicConstraints: unexpected member');
      cert.basicConstraints = pathLength === undefined ? { isCa } : { isCa, pathLength };
      return;
    }
    case OID.keyUsage: {
      const { bits, unusedBits } = readBitString(decodeDer(value, what), 'keyUsage');
      if (bits.length > 2) malformed('keyUsage: at most 9 named bits');
      // DER (X.690 §11.2.2): a named bit list has no trailing zero bits.
      if (bits.length && !(bits[bits.length - 1]! & (1 << unusedBits))) {
        malformed('keyUsage: trailing zero bits are not DER');
      }
      let usage = 0;
      for (let bit = 0; bit < bits.length * 8; bit++) if (bits[bit >> 3]! & (0x80 >> (bit & 7))) usage |= 1 << bit;
      cert.keyUsage = usage;
      return;
    }
    case OID.extendedKeyUsage:
      cert.extendedKeyUsage = members(decodeDer(value, what), DerTag.SEQUENCE, 'extendedKeyUsage', { min: 1 })
        .map((purpose, i) => readOid(purpose, `extendedKeyUsage[${i}]`));
      return;
    case OID.subjectKeyIdentifier:
      cert.subjectKeyId = readOctetString(decodeDer(value, what), 'subjectKeyIdentifier');
      return;
    case OID.authorityKeyIdentifier: {
      // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, ... }; Matter uses
      // only the key identifier.
      const parts = members(decodeDer(value, what), DerTag.SEQUENCE, 'authorityKeyIdentifier');
      const keyId = parts.find((p) => p.tag === contextTag(0, false));
      if (keyId) cert.authorityKeyId = keyId.content;
      return;
    }
    default:
      return;
  }
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
