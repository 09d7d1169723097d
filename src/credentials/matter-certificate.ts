// The Matter TLV certificate (Matter Core spec §6.5 "Operational Certificate Encoding", TLV schema; connectedhomeip
// CHIPCert.h): a compact re-encoding of an X.509 certificate. Decoded into a typed structure that keeps the DN
// attributes and the extensions as ordered lists, because the DER form (which the signature covers) writes them in
// TLV order: reordering repeated CATs would change the signed bytes. Encoding writes minimal TLV, the form every
// issuer uses.
import { decodeTlv, encodeTlv, tlv, type TlvElement } from '../codec/index.js';
import { CertificateError } from './certificate-error.js';

/** Matter TLV certificates are at most 400 bytes (connectedhomeip kMaxCHIPCertLength). */
export const MAX_TLV_CERTIFICATE_LENGTH = 400;

/** DN attribute tags (TLV context tags). Standard X.520 names are 1–16; tag | 0x80 is the PrintableString form. */
export const DnTag = Object.freeze({
  commonName: 1, surname: 2, serialNumber: 3, countryName: 4, localityName: 5, stateOrProvinceName: 6,
  organizationName: 7, organizationalUnitName: 8, title: 9, name: 10, givenName: 11, initials: 12,
  generationQualifier: 13, dnQualifier: 14, pseudonym: 15, domainComponent: 16,
  nodeId: 17, firmwareSigningId: 18, icacId: 19, rcacId: 20, fabricId: 21, caseAuthenticatedTag: 22, vvsId: 23,
  /** Added to a standard name's tag: the value is a PrintableString in DER instead of a UTF8String. */
  printable: 0x80,
});

/**
 * One DN attribute in order. Matter attributes (tags 17–23) carry an unsigned integer (64-bit ids, 32-bit
 * CAT and firmware-signing id); standard names carry a string.
 */
export interface DnAttribute { tag: number; value: bigint | string }

export type CertificateExtension =
  | { kind: 'basicConstraints'; isCa: boolean; pathLength?: number }
  /** keyUsage bitmap: digitalSignature 0x01 … keyCertSign 0x20, cRLSign 0x40 … decipherOnly 0x100. */
  | { kind: 'keyUsage'; usage: number }
  /**
   * Key purposes in order: 1 serverAuth, 2 clientAuth, 3 codeSigning, 4 emailProtection, 5 timeStamping, 6
   * OCSPSigning.
   */
  | { kind: 'extendedKeyUsage'; purposes: number[] }
  | { kind: 'subjectKeyId'; keyId: Uint8Array }
  | { kind: 'authorityKeyId'; keyId: Uint8Array }
  /** Any other extension, as its raw DER Extension SEQUENCE. */
  | { kind: 'future'; der: Uint8Array };

export interface MatterCertificate {
  /** Content octets of the DER serial number INTEGER (1 to 20 bytes). */
  serialNumber: Uint8Array;
  /** 1 = ecdsa-with-SHA256, the only one defined. */
  signatureAlgorithm: number;
  issuer: DnAttribute[];
  /** Seconds since 2000-01-01T00:00:00Z (the Matter epoch); notAfter 0 means no well-defined expiration. */
  notBefore: number;
  notAfter: number;
  subject: DnAttribute[];
  /** 1 = id-ecPublicKey; curve 1 = prime256v1. */
  publicKeyAlgorithm: number;
  ellipticCurve: number;
  /** 65-byte uncompressed P-256 point. */
  publicKey: Uint8Array;
  extensions: CertificateExtension[];
  /** Raw r ‖ s (64 bytes); empty while the certificate is being built. */
  signature: Uint8Array;
}

/** Seconds between the Unix epoch and the Matter epoch (2000-01-01T00:00:00Z). */
export const MATTER_EPOCH_OFFSET_SECONDS = 946_684_800;

const malformed = (message: string): never => { throw new CertificateError('malformed-tlv', message); };

const UINT32_MAX = 0xffff_ffffn;
const UINT64_MAX = (1n << 64n) - 1n;

/** Width in bits of each Matter DN attribute's integer. */
export function matterAttributeBits(tag: number): 32 | 64 | undefined {
  if (tag === DnTag.firmwareSigningId || tag === DnTag.caseAuthenticatedTag) return 32;
  if (tag >= DnTag.nodeId && tag <= DnTag.vvsId) return 64;
  return undefined;
}

/**
 * True for the standard X.520 name tags: UTF8String (1–16; domainComponent is an IA5String) or PrintableString
 * (129–143).
 */
export const isStandardNameTag = (tag: number): boolean => (tag >= 1 && tag <= 16) || (tag >= 129 && tag <= 143);

export function decodeMatterCertificate(bytes: Uint8Array): MatterCertificate {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`tlv: expected a Uint8Array, got ${typeof bytes}`);
  if (bytes.length > MAX_TLV_CERTIFICATE_LENGTH) {
    malformed(`certificate of ${bytes.length} bytes; at most ${MAX_TLV_CERTIFICATE_LENGTH}`);
  }
  let root: TlvElement;
  try {
    root = decodeTlv(bytes);
  } catch (error) {
    return malformed((error as Error).message);
  }
  if (root.type !== 'struct' || root.tag) malformed('expected an anonymous structure');
  const fields = (root as { elements: readonly TlvElement[] }).elements;
  // The schema is positional in practice (every issuer writes tags 1..11 in order); requiring that order is what
  // lets decode-then-encode give back the input byte for byte.
  const expected = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  if (fields.length !== expected.length || fields.some((f, i) => !f.tag || !('context' in f.tag) || f.tag.context !== expected[i])) {
    malformed(`expected fields 1 to 11 in order, got ${fields.map((f) => f.tag && 'context' in f.tag ? f.tag.context : '?').join(',')}`);
  }
  const [serial, sigAlg, issuer, notBefore, notAfter, subject, pkAlg, curve, publicKey, extensions, signature] = fields;
  return {
    serialNumber: byteString(serial!, 'serialNumber', 1, 20),
    signatureAlgorithm: smallUint(sigAlg!, 'signatureAlgorithm', 0xff),
    issuer: distinguishedName(issuer!, 'issuer'),
    notBefore: smallUint(notBefore!, 'notBefore', 0xffff_ffff),
    notAfter: smallUint(notAfter!, 'notAfter', 0xffff_ffff),
    subject: distinguishedName(subject!, 'subject'),
    publicKeyAlgorithm: smallUint(pkAlg!, 'publicKeyAlgorithm', 0xff),
    ellipticCurve: smallUint(curve!, 'ellipticCurveIdentifier', 0xff),
    publicKey: byteString(publicKey!, 'ellipticCurvePublicKey', 65, 65),
    extensions: extensionList(extensions!),
    signature: byteString(signature!, 'signature', 64, 64),
  };
}

function byteString(element: TlvElement, what: string, min: number, max: number): Uint8Array {
  if (element.type !== 'bytes') malformed(`${what}: expected a byte string, got ${element.type}`);
  const value = (element as { value: Uint8Array }).value;
  if (value.length < min || value.length > max) {
    malformed(`${what}: expected ${min === max ? min : `${min} to ${max}`} bytes, got ${value.length}`);
  }
  return value;
}

function smallUint(element: TlvElement, what: string, max: number): number {
  if (element.type !== 'uint') malformed(`${what}: expected an unsigned integer, got ${element.type}`);
  const value = Number((element as { value: number | bigint }).value);
  if (value > max) malformed(`${what}: ${value} is above ${max}`);
  return value;
}

function distinguishedName(element: TlvElement, what: string): DnAttribute[] {
  if (element.type !== 'list') malformed(`${what}: expected a list, got ${element.type}`);
  return (element as { elements: readonly TlvElement[] }).elements.map((attribute, i) => {
    const tag = attribute.tag && 'context' in attribute.tag ? attribute.tag.context : malformed(`${what}[${i}]: expected a context tag`);
    const bits = matterAttributeBits(tag);
    if (bits) {
      if (attribute.type !== 'uint') {
        malformed(`${what}[${i}] (tag ${tag}): expected an unsigned integer, got ${attribute.type}`);
      }
      const value = BigInt((attribute as { value: number | bigint }).value);
      if (value > (bits === 32 ? UINT32_MAX : UINT64_MAX)) {
        malformed(`${what}[${i}] (tag ${tag}): does not fit ${bits} bits`);
      }
      return { tag, value };
    }
    if (!isStandardNameTag(tag)) malformed(`${what}[${i}]: unknown DN attribute tag ${tag}`);
    if (attribute.type !== 'utf8') {
      malformed(`${what}[${i}] (tag ${tag}): expected a UTF-8 string, got ${attribute.type}`);
    }
    return { tag, value: (attribute as { value: string }).value };
  });
}

function extensionList(element: TlvElement): CertificateExtension[] {
  if (element.type !== 'list') malformed(`extensions: expected a list, got ${element.type}`);
  const seen = new Set<number>();
  return (element as { elements: readonly TlvElement[] }).elements.map((extension, i): CertificateExtension => {
    const tag = extension.tag && 'context' in extension.tag ? extension.tag.context : malformed(`extensions[${i}]: expected a context tag`);
    // RFC 5280 §4.2: an extension appears at most once; only futureExtension (6) may repeat (different OIDs).
    if (tag !== 6 && seen.has(tag)) malformed(`extensions[${i}]: extension ${tag} appears twice`);
    seen.add(tag);
    switch (tag) {
      case 1: {
        if (extension.type !== 'struct') malformed('basicConstraints: expected a structure');
        const members = (extension as { elements: readonly TlvElement[] }).elements;
        const isCa = members[0];
        if (!isCa || isCa.type !== 'bool' || !isCa.tag || !('context' in isCa.tag) || isCa.tag.context !== 1) {
          malformed('basicConstraints: expected isCA (tag 1, boolean) first');
        }
        const pathLength = members[1];
        if (members.length > 2 || (pathLength && (!pathLength.tag || !('context' in pathLength.tag) || pathLength.tag.context !== 2))) {
          malformed('basicConstraints: expected only isCA (1) and pathLenConstraint (2)');
        }
        const ca = (isCa as { value: boolean }).value;
        return pathLength
          ? { kind: 'basicConstraints', isCa: ca, pathLength: smallUint(pathLength, 'basicConstraints.pathLenConstraint', 0xff) }
          : { kind: 'basicConstraints', isCa: ca };
      }
      case 2:
        return { kind: 'keyUsage', usage: smallUint(extension, 'keyUsage', 0x1ff) };
      case 3: {
        if (extension.type !== 'array') malformed('extendedKeyUsage: expected an array');
        const purposes = (extension as { elements: readonly TlvElement[] }).elements.map((p, j) => smallUint(p, `extendedKeyUsage[${j}]`, 0xff));
        if (!purposes.length) malformed('extendedKeyUsage: expected at least one key purpose');
        if (purposes.some((p) => p < 1 || p > 6)) {
          malformed(`extendedKeyUsage: purposes are 1 to 6, got ${purposes.join(',')}`);
        }
        return { kind: 'extendedKeyUsage', purposes };
      }
      case 4: return { kind: 'subjectKeyId', keyId: byteString(extension, 'subjectKeyIdentifier', 20, 20) };
      case 5: return { kind: 'authorityKeyId', keyId: byteString(extension, 'authorityKeyIdentifier', 20, 20) };
      case 6: return { kind: 'future', der: byteString(extension, 'futureExtension', 1, MAX_TLV_CERTIFICATE_LENGTH) };
      default: return malformed(`extensions[${i}]: unknown extension tag ${tag}`);
    }
  });
}

export function encodeMatterCertificate(cert: MatterCertificate): Uint8Array {
  const name = (attributes: DnAttribute[], tag: number) => tlv.list(attributes.map((a) =>
    typeof a.value === 'bigint' ? tlv.uint(a.value, a.tag) : tlv.utf8(a.value, a.tag)), tag);
  const extension = (e: CertificateExtension): TlvElement => {
    switch (e.kind) {
      case 'basicConstraints':
        return tlv.struct([tlv.bool(e.isCa, 1), e.pathLength === undefined ? undefined : tlv.uint(e.pathLength, 2)], 1);
      case 'keyUsage': return tlv.uint(e.usage, 2);
      case 'extendedKeyUsage': return tlv.array(e.purposes.map((p) => tlv.uint(p)), 3);
      case 'subjectKeyId': return tlv.bytes(e.keyId, 4);
      case 'authorityKeyId': return tlv.bytes(e.keyId, 5);
      case 'future': return tlv.bytes(e.der, 6);
    }
  };
  return encodeTlv(tlv.struct([
    tlv.bytes(cert.serialNumber, 1),
    tlv.uint(cert.signatureAlgorithm, 2),
    name(cert.issuer, 3),
    tlv.uint(cert.notBefore, 4),
    tlv.uint(cert.notAfter, 5),
    name(cert.subject, 6),
    tlv.uint(cert.publicKeyAlgorithm, 7),
    tlv.uint(cert.ellipticCurve, 8),
    tlv.bytes(cert.publicKey, 9),
    tlv.list(cert.extensions.map(extension), 10),
    tlv.bytes(cert.signature, 11),
  ]));
}
