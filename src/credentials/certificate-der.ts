// Matter TLV certificate <-> X.509 DER (Matter Core spec §6.5 "Operational Certificate Encoding"; connectedhomeip
// CHIPCertToX509.cpp and X509ToChipCert.cpp). The signature covers the DER TBSCertificate, so the conversion must
// rebuild the issuer's exact bytes: DN attributes and extensions in TLV order, UTCTime before 2050 and
// GeneralizedTime after, fixed criticality per extension. DER input whose TBS the TLV form could not reproduce byte
// for byte is refused, since its signature could never verify once converted.
import { ecdsaRawToDer } from '../crypto/p256.js';
import { CertificateError } from './certificate-error.js';
import { DerTag, contextTag, decodeDer, members, readOid } from './der-reader.js';
import {
  derAsciiString, derBitString, derBoolean, derElement, derExplicit, derIntegerContent, derOctetString,
  derOid, derSequence, derSet, derTime, derUnsigned, derUtf8String,
} from './der-writer.js';
import {
  DnTag, MATTER_EPOCH_OFFSET_SECONDS, decodeMatterCertificate, encodeMatterCertificate, isStandardNameTag,
  matterAttributeBits, type CertificateExtension, type DnAttribute, type MatterCertificate,
} from './matter-certificate.js';
import { KEY_PURPOSE_OIDS, OID } from './object-identifiers.js';
import { bytesEqual, parseX509Certificate, type X509Attribute, type X509Certificate } from './x509-certificate.js';

/** X.520 attribute OIDs by Matter DN tag (1–16). */
const STANDARD_NAME_OIDS: Readonly<Record<number, string>> = Object.freeze({
  1: '2.5.4.3', 2: '2.5.4.4', 3: '2.5.4.5', 4: '2.5.4.6', 5: '2.5.4.7', 6: '2.5.4.8', 7: '2.5.4.10', 8: '2.5.4.11',
  9: '2.5.4.12', 10: '2.5.4.41', 11: '2.5.4.42', 12: '2.5.4.43', 13: '2.5.4.44', 14: '2.5.4.46', 15: '2.5.4.65',
  16: '0.9.2342.19200300.100.1.25',
});
const MATTER_DN_PREFIX = '1.3.6.1.4.1.37244.1.';
/** TLV notAfter 0 stands for X.509's "no well-defined expiration", 99991231235959Z (RFC 5280 §4.1.2.5). */
const NO_EXPIRATION_UNIX = Date.UTC(9999, 11, 31, 23, 59, 59) / 1000;

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

const tlvError = (message: string): never => { throw new CertificateError('malformed-tlv', message); };
const unsupported = (message: string): never => { throw new CertificateError('unsupported-algorithm', message); };

/** The oid of a DN attribute tag. */
export function dnAttributeOid(tag: number): string {
  if (matterAttributeBits(tag)) return MATTER_DN_PREFIX + (tag - 16);
  return STANDARD_NAME_OIDS[tag & 0x7f] ?? tlvError(`unknown DN attribute tag ${tag}`);
}

function encodeAttribute(attribute: DnAttribute, what: string): Uint8Array {
  const { tag, value } = attribute;
  const bits = matterAttributeBits(tag);
  let encodedValue: Uint8Array;
  if (bits) {
    if (typeof value !== 'bigint') return tlvError(`${what}: tag ${tag} carries an integer`);
    // Matter DN ids are upper-case hex of fixed width (16 digits for 64-bit ids, 8 for 32-bit ones, spec Appendix E).
    encodedValue = derUtf8String(value.toString(16).toUpperCase().padStart(bits / 4, '0'));
  } else {
    if (!isStandardNameTag(tag)) return tlvError(`${what}: unknown DN attribute tag ${tag}`);
    if (typeof value !== 'string') return tlvError(`${what}: tag ${tag} carries a string`);
    if ((tag & 0x7f) === DnTag.domainComponent) {
      if (/[^\x00-\x7f]/.test(value)) tlvError(`${what}: domainComponent must be ASCII (IA5String)`);
      encodedValue = derAsciiString(DerTag.IA5_STRING, value);
    } else if (tag & DnTag.printable) {
      if (!PRINTABLE.test(value)) tlvError(`${what}: tag ${tag} is a PrintableString; "${value}" has other characters`);
      encodedValue = derAsciiString(DerTag.PRINTABLE_STRING, value);
    } else {
      encodedValue = derUtf8String(value);
    }
  }
  return derSet(derSequence(derOid(dnAttributeOid(tag)), encodedValue));
}

export const encodeDistinguishedName = (attributes: readonly DnAttribute[], what: string): Uint8Array =>
  derSequence(...attributes.map((a, i) => encodeAttribute(a, `${what}[${i}]`)));

const matterToUnix = (seconds: number): number => seconds + MATTER_EPOCH_OFFSET_SECONDS;

function encodeKeyUsage(usage: number): Uint8Array {
  if (usage === 0) return derBitString(new Uint8Array(0));
  const highest = 31 - Math.clz32(usage);
  const bytes = new Uint8Array((highest >> 3) + 1);
  for (let bit = 0; bit <= highest; bit++) if (usage & (1 << bit)) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  return derBitString(bytes, 7 - (highest & 7));
}

const criticalExtension = (oid: string, value: Uint8Array): Uint8Array =>
  derSequence(derOid(oid), derBoolean(true), derOctetString(value));
const extensionOf = (oid: string, value: Uint8Array): Uint8Array => derSequence(derOid(oid), derOctetString(value));

function encodeExtension(extension: CertificateExtension): Uint8Array {
  switch (extension.kind) {
    case 'basicConstraints':
      return criticalExtension(OID.basicConstraints, derSequence(
        ...(extension.isCa ? [derBoolean(true)] : []),
        ...(extension.pathLength === undefined ? [] : [derUnsigned(extension.pathLength)])));
    case 'keyUsage':
      return criticalExtension(OID.keyUsage, encodeKeyUsage(extension.usage));
    case 'extendedKeyUsage':
      return criticalExtension(OID.extendedKeyUsage, derSequence(...extension.purposes.map((p) =>
        derOid(KEY_PURPOSE_OIDS[p] ?? tlvError(`extendedKeyUsage: unknown purpose ${p}`)))));
    case 'subjectKeyId':
      return extensionOf(OID.subjectKeyIdentifier, derOctetString(extension.keyId));
    case 'authorityKeyId':
      return extensionOf(OID.authorityKeyIdentifier, derSequence(derElement(contextTag(0, false), extension.keyId)));
    case 'future': {
      // Carried as the issuer wrote it; it must at least be an Extension SEQUENCE { OID, [critical], OCTET STRING }.
      try {
        const parts = members(decodeDer(extension.der), DerTag.SEQUENCE, 'futureExtension', { min: 2, max: 3 });
        readOid(parts[0], 'futureExtension.extnID');
      } catch {
        tlvError('futureExtension: expected a DER Extension SEQUENCE');
      }
      return extension.der;
    }
  }
}

function checkAlgorithms(cert: MatterCertificate): void {
  if (cert.signatureAlgorithm !== 1) {
    unsupported(`signatureAlgorithm ${cert.signatureAlgorithm}; only 1 (ecdsa-with-SHA256) is defined`);
  }
  if (cert.publicKeyAlgorithm !== 1) {
    unsupported(`publicKeyAlgorithm ${cert.publicKeyAlgorithm}; only 1 (id-ecPublicKey) is defined`);
  }
  if (cert.ellipticCurve !== 1) {
    unsupported(`ellipticCurveIdentifier ${cert.ellipticCurve}; only 1 (prime256v1) is defined`);
  }
}

const SIGNATURE_ALGORITHM = (): Uint8Array => derSequence(derOid(OID.ecdsaWithSha256));

/** The DER TBSCertificate of a Matter certificate: the bytes its signature covers. */
export function tbsCertificateDer(cert: MatterCertificate): Uint8Array {
  checkAlgorithms(cert);
  const serial = cert.serialNumber;
  if (serial.length > 1 && ((serial[0] === 0 && serial[1]! < 0x80) || (serial[0] === 0xff && serial[1]! >= 0x80))) {
    tlvError('serialNumber: not a minimal INTEGER encoding');
  }
  return derSequence(
    derExplicit(0, derUnsigned(2)),
    derIntegerContent(serial),
    SIGNATURE_ALGORITHM(),
    encodeDistinguishedName(cert.issuer, 'issuer'),
    derSequence(derTime(matterToUnix(cert.notBefore)),
      cert.notAfter === 0 ? derTime(NO_EXPIRATION_UNIX) : derTime(matterToUnix(cert.notAfter))),
    encodeDistinguishedName(cert.subject, 'subject'),
    derSequence(derSequence(derOid(OID.ecPublicKey), derOid(OID.prime256v1)), derBitString(cert.publicKey)),
    ...(cert.extensions.length ? [derExplicit(3, derSequence(...cert.extensions.map(encodeExtension)))] : []),
  );
}

/** The signed X.509 certificate: SEQUENCE { TBS, ecdsa-with-SHA256, BIT STRING(ECDSA-Sig-Value) }. */
export function signedCertificateDer(cert: MatterCertificate, tbs = tbsCertificateDer(cert)): Uint8Array {
  if (cert.signature.length !== 64) tlvError('signature: expected 64 bytes (raw r ‖ s)');
  let signature: Uint8Array;
  try {
    signature = ecdsaRawToDer(cert.signature);
  } catch {
    return tlvError('signature: r and s must each be from 1 to n - 1');
  }
  return derSequence(tbs, SIGNATURE_ALGORITHM(), derBitString(signature));
}

/** Matter TLV certificate -> signed X.509 DER. Throws CertificateError ('malformed-tlv', 'unsupported-algorithm'). */
export function certificateToDer(tlv: Uint8Array): Uint8Array {
  return signedCertificateDer(decodeMatterCertificate(tlv));
}

function attributeFromX509(attribute: X509Attribute, what: string): DnAttribute {
  const { oid, stringTag, value } = attribute;
  if (oid.startsWith(MATTER_DN_PREFIX)) {
    const tag = 16 + Number(oid.slice(MATTER_DN_PREFIX.length));
    const bits = matterAttributeBits(tag);
    if (!bits || !/^\d+$/.test(oid.slice(MATTER_DN_PREFIX.length))) {
      return unsupported(`${what}: unknown Matter attribute ${oid}`);
    }
    const digits = bits / 4;
    if (stringTag !== DerTag.UTF8_STRING || !new RegExp(`^[0-9A-F]{${digits}}$`).test(value)) {
      throw new CertificateError('malformed-der', `${what}: ${oid} must be a UTF8String of ${digits} upper-case hex digits, got "${value}"`);
    }
    return { tag, value: BigInt(`0x${value}`) };
  }
  const entry = Object.entries(STANDARD_NAME_OIDS).find(([, o]) => o === oid);
  if (!entry) return unsupported(`${what}: attribute ${oid} has no Matter TLV form`);
  const tag = Number(entry[0]);
  if (tag === DnTag.domainComponent) {
    if (stringTag !== DerTag.IA5_STRING) {
      throw new CertificateError('malformed-der', `${what}: domainComponent must be an IA5String`);
    }
    return { tag, value };
  }
  if (stringTag === DerTag.UTF8_STRING) return { tag, value };
  if (stringTag === DerTag.PRINTABLE_STRING) return { tag: tag | DnTag.printable, value };
  return unsupported(`${what}: ${oid} as string type 0x${stringTag.toString(16)} has no Matter TLV form`);
}

function matterTime(unixSeconds: number, what: string, allowNoExpiration: boolean): number {
  if (allowNoExpiration && unixSeconds === NO_EXPIRATION_UNIX) return 0;
  const seconds = unixSeconds - MATTER_EPOCH_OFFSET_SECONDS;
  if (seconds < 0 || seconds > 0xffff_ffff) {
    unsupported(`${what}: outside what a Matter certificate can carry (2000 to 2136)`);
  }
  return seconds;
}

function extensionsFromX509(x509: X509Certificate): CertificateExtension[] {
  const expectCritical = (critical: boolean, wanted: boolean, name: string): void => {
    if (critical !== wanted) {
      throw new CertificateError('malformed-der', `${name} must ${wanted ? '' : 'not '}be marked critical in a Matter certificate`);
    }
  };
  return x509.extensions.map((extension): CertificateExtension => {
    switch (extension.oid) {
      case OID.basicConstraints:
        expectCritical(extension.critical, true, 'basicConstraints');
        return { kind: 'basicConstraints', ...x509.basicConstraints! };
      case OID.keyUsage:
        expectCritical(extension.critical, true, 'keyUsage');
        return { kind: 'keyUsage', usage: x509.keyUsage! };
      case OID.extendedKeyUsage: {
        expectCritical(extension.critical, true, 'extendedKeyUsage');
        const purposes = x509.extendedKeyUsage!.map((oid) => {
          const entry = Object.entries(KEY_PURPOSE_OIDS).find(([, o]) => o === oid);
          return entry ? Number(entry[0]) : unsupported(`extendedKeyUsage: key purpose ${oid} has no Matter TLV form`);
        });
        return { kind: 'extendedKeyUsage', purposes };
      }
      case OID.subjectKeyIdentifier:
        expectCritical(extension.critical, false, 'subjectKeyIdentifier');
        if (x509.subjectKeyId?.length !== 20) {
          throw new CertificateError('malformed-der', 'subjectKeyIdentifier: expected 20 bytes');
        }
        return { kind: 'subjectKeyId', keyId: x509.subjectKeyId };
      case OID.authorityKeyIdentifier:
        expectCritical(extension.critical, false, 'authorityKeyIdentifier');
        if (x509.authorityKeyId?.length !== 20) {
          throw new CertificateError('malformed-der', 'authorityKeyIdentifier: expected a 20-byte keyIdentifier');
        }
        return { kind: 'authorityKeyId', keyId: x509.authorityKeyId };
      default:
        return { kind: 'future', der: extension.encoded };
    }
  });
}

/** A parsed X.509 certificate as a Matter certificate structure (no re-encoding check). */
export function matterCertificateFromX509(x509: X509Certificate): MatterCertificate {
  return {
    serialNumber: x509.serialNumber,
    signatureAlgorithm: 1,
    issuer: x509.issuer.map((a, i) => attributeFromX509(a, `issuer[${i}]`)),
    notBefore: matterTime(x509.notBefore, 'notBefore', false),
    notAfter: matterTime(x509.notAfter, 'notAfter', true),
    subject: x509.subject.map((a, i) => attributeFromX509(a, `subject[${i}]`)),
    publicKeyAlgorithm: 1,
    ellipticCurve: 1,
    publicKey: x509.publicKey,
    extensions: extensionsFromX509(x509),
    signature: x509.signature,
  };
}

/**
 * Signed X.509 DER -> Matter TLV certificate. Throws CertificateError: 'malformed-der' for bad DER or an encoding
 * the TLV form cannot reproduce, 'unsupported-algorithm' for what Matter certificates cannot carry.
 */
export function certificateFromDer(der: Uint8Array): Uint8Array {
  const x509 = parseX509Certificate(der);
  const cert = matterCertificateFromX509(x509);
  if (cert.serialNumber.length > 20) {
    throw new CertificateError('malformed-der', 'serialNumber: more than 20 octets (RFC 5280 §4.1.2.2)');
  }
  if (!bytesEqual(tbsCertificateDer(cert), x509.tbs)) {
    throw new CertificateError('malformed-der', 'the TBSCertificate uses an encoding its Matter TLV form cannot reproduce (its signature would not verify after conversion)');
  }
  const tlv = encodeMatterCertificate(cert);
  decodeMatterCertificate(tlv); // enforces the TLV limits (size, field ranges) on what we produce
  return tlv;
}


