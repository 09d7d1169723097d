// Issuing device attestation certificates (Matter Core spec §6.2.2 "Device Attestation Certificate (DAC)" and
// "Product Attestation Intermediate (PAI)"): X.509 v3 DER with ECDSA-with-SHA256 over P-256, the vendor and
// product ids as Matter DN attributes (4 upper-case hex digits, §6.2.2.2), and the extensions §6.2.2.3 requires
// (basicConstraints and keyUsage critical, subject and authority key identifiers). parseAttestationCertificate()
// reads exactly what this writes.
import { ecdsaRawToDer, ecdsaSignSha256, p256PublicKey } from '../crypto/p256.js';
import {
  derBitString, derBoolean, derElement, derExplicit, derIntegerContent, derOctetString, derOid, derSequence, derSet,
  derTime, derUnsigned, derUtf8String, unsignedIntegerContent,
} from './der-writer.js';
import { keyIdentifier } from './key-identifier.js';
import { OID } from './object-identifiers.js';

const COMMON_NAME = '2.5.4.3';

/** A DN as attestation certificates carry it: a common name and, optionally, the vendor and product ids. */
export interface AttestationName {
  commonName: string;
  vendorId?: number;
  productId?: number;
}

export interface AttestationCertificateOptions {
  /** Positive serial number, at most 20 bytes (RFC 5280 §4.1.2.2). */
  serialNumber: bigint;
  issuer: AttestationName;
  subject: AttestationName;
  /** Seconds since the Unix epoch. */
  notBefore: number;
  notAfter: number;
  /** The subject's public key (65 bytes, uncompressed P-256). */
  publicKey: Uint8Array;
  /** A PAI (or PAA) is a CA with this path length; a DAC is not a CA. */
  ca?: { pathLength: number } | undefined;
  /** The issuer's subject key identifier (the AKID here); its own for a self-signed PAA. */
  authorityKeyId: Uint8Array;
}

function idHex(value: number, name: string): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`${name}: expected a uint16, got ${String(value)}`);
  return value.toString(16).toUpperCase().padStart(4, '0');
}

function encodeName(name: AttestationName, what: string): Uint8Array {
  if (typeof name?.commonName !== 'string' || name.commonName.length === 0 || name.commonName.length > 64) {
    throw new TypeError(`${what}.commonName: expected a string of 1 to 64 characters`);
  }
  const rdn = (oid: string, value: string) => derSet(derSequence(derOid(oid), derUtf8String(value)));
  const rdns = [rdn(COMMON_NAME, name.commonName)];
  if (name.vendorId !== undefined) rdns.push(rdn(OID.matterVendorId, idHex(name.vendorId, `${what}.vendorId`)));
  if (name.productId !== undefined) rdns.push(rdn(OID.matterProductId, idHex(name.productId, `${what}.productId`)));
  return derSequence(...rdns);
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? derSequence(derOid(oid), derBoolean(true), derOctetString(value)) : derSequence(derOid(oid), derOctetString(value));
}

const ecdsaWithSha256 = () => derSequence(derOid(OID.ecdsaWithSha256));

/**
 * The signed certificate (DER), signed by `issuerPrivateKey`. Bad options throw a TypeError/RangeError naming the
 * field; the key is only used to sign.
 */
export function buildAttestationCertificate(options: AttestationCertificateOptions, issuerPrivateKey: Uint8Array): Uint8Array {
  const { serialNumber, notBefore, notAfter, publicKey, ca, authorityKeyId } = options;
  if (typeof serialNumber !== 'bigint' || serialNumber < 1n || unsignedIntegerContent(serialNumber).length > 20) {
    throw new RangeError('options.serialNumber: expected a positive bigint of at most 20 bytes');
  }
  if (!Number.isInteger(notBefore) || !Number.isInteger(notAfter) || notAfter <= notBefore) {
    throw new RangeError('options.notBefore/notAfter: expected whole seconds with notBefore < notAfter');
  }
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 65 || publicKey[0] !== 4) {
    throw new TypeError('options.publicKey: expected 65 bytes (uncompressed P-256 point)');
  }
  if (!(authorityKeyId instanceof Uint8Array) || authorityKeyId.length !== 20) {
    throw new TypeError('options.authorityKeyId: expected 20 bytes');
  }
  p256PublicKey(issuerPrivateKey); // throws a clear error for a key that is not a P-256 scalar
  // keyUsage (RFC 5280 §4.2.1.3): a CA signs certificates and CRLs (bits 5, 6), a DAC signs (bit 0).
  const keyUsage = ca ? derBitString(Uint8Array.of(0x06), 1) : derBitString(Uint8Array.of(0x80), 7);
  const basicConstraints = ca ? derSequence(derBoolean(true), derUnsigned(ca.pathLength)) : derSequence();
  const extensions = derExplicit(3, derSequence(
    extension(OID.basicConstraints, true, basicConstraints),
    extension(OID.keyUsage, true, keyUsage),
    extension(OID.subjectKeyIdentifier, false, derOctetString(keyIdentifier(publicKey))),
    extension(OID.authorityKeyIdentifier, false, derSequence(derElement(0x80, authorityKeyId))),
  ));
  const tbs = derSequence(
    derExplicit(0, derUnsigned(2)), // v3
    derIntegerContent(unsignedIntegerContent(serialNumber)),
    ecdsaWithSha256(),
    encodeName(options.issuer, 'options.issuer'),
    derSequence(derTime(notBefore), derTime(notAfter)),
    encodeName(options.subject, 'options.subject'),
    derSequence(derSequence(derOid(OID.ecPublicKey), derOid(OID.prime256v1)), derBitString(publicKey)),
    extensions,
  );
  const signature = ecdsaRawToDer(ecdsaSignSha256(issuerPrivateKey, tbs));
  return derSequence(tbs, ecdsaWithSha256(), derBitString(signature));
}
