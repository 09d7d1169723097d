// Signing a Certification Declaration (Matter Core spec §6.3.1): the declaration's TLV, wrapped in CMS SignedData
// (RFC 5652 §5) as Matter profiles it — version 3, SHA-256, the eContent embedded, one SignerInfo that names the
// signer by subject key identifier, no signed attributes, so the ECDSA signature covers the TLV itself.
// parseCertificationDeclaration() reads exactly this shape.
import { tlv, encodeTlv, type TlvElement } from '../codec/tlv.js';
import { ecdsaRawToDer, ecdsaSignSha256 } from '../crypto/p256.js';
import type { CertificationDeclarationContent } from './certification-declaration.js';
import { MAX_CERTIFICATION_DECLARATION_LENGTH } from './certification-declaration.js';
import { derElement, derExplicit, derOctetString, derOid, derSequence, derSet, derUnsigned } from './der-writer.js';
import { OID } from './object-identifiers.js';

function uintField(value: unknown, name: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`content.${name}: expected an integer from 0 to ${max}, got ${String(value)}`);
  }
  return value;
}

/** The declaration's TLV (spec §6.3.1 "Certification Declaration TLV"), fields checked and named when wrong. */
export function encodeCertificationDeclarationContent(content: CertificationDeclarationContent): Uint8Array {
  if (!Array.isArray(content?.productIds) || content.productIds.length < 1 || content.productIds.length > 100) {
    throw new RangeError('content.productIds: expected 1 to 100 product ids');
  }
  if (typeof content.certificateId !== 'string' || content.certificateId.length !== 19) {
    throw new TypeError('content.certificateId: expected a string of 19 characters (e.g. "ZIG20142ZB330003-24")');
  }
  const elements: TlvElement[] = [
    tlv.uint(uintField(content.formatVersion, 'formatVersion', 0xffff), 0),
    tlv.uint(uintField(content.vendorId, 'vendorId', 0xffff), 1),
    tlv.array(content.productIds.map((id, i) => tlv.uint(uintField(id, `productIds[${i}]`, 0xffff))), 2),
    tlv.uint(uintField(content.deviceTypeId, 'deviceTypeId', 0xffffffff), 3),
    tlv.utf8(content.certificateId, 4),
    tlv.uint(uintField(content.securityLevel, 'securityLevel', 0xff), 5),
    tlv.uint(uintField(content.securityInformation, 'securityInformation', 0xffff), 6),
    tlv.uint(uintField(content.versionNumber, 'versionNumber', 0xffff), 7),
    tlv.uint(uintField(content.certificationType, 'certificationType', 2), 8),
  ];
  if (content.dacOriginVendorId !== undefined) elements.push(tlv.uint(uintField(content.dacOriginVendorId, 'dacOriginVendorId', 0xffff), 9));
  if (content.dacOriginProductId !== undefined) elements.push(tlv.uint(uintField(content.dacOriginProductId, 'dacOriginProductId', 0xffff), 10));
  if (content.authorizedPaaList !== undefined) {
    elements.push(tlv.array(content.authorizedPaaList.map((id, i) => {
      if (!(id instanceof Uint8Array) || id.length !== 20) throw new TypeError(`content.authorizedPaaList[${i}]: expected 20 bytes`);
      return tlv.bytes(id);
    }), 11));
  }
  return encodeTlv(tlv.struct(elements));
}

/** The CMS-wrapped declaration (DER), signed by `signerPrivateKey`, whose certificate has SKID `signerKeyId`. */
export function signCertificationDeclaration(content: CertificationDeclarationContent, signerPrivateKey: Uint8Array,
  signerKeyId: Uint8Array): Uint8Array {
  if (!(signerKeyId instanceof Uint8Array) || signerKeyId.length !== 20) throw new TypeError('signerKeyId: expected 20 bytes');
  const eContent = encodeCertificationDeclarationContent(content);
  const signature = ecdsaRawToDer(ecdsaSignSha256(signerPrivateKey, eContent));
  const sha256 = derSequence(derOid(OID.sha256));
  const signerInfo = derSequence(
    derUnsigned(3), derElement(0x80, signerKeyId), sha256, derSequence(derOid(OID.ecdsaWithSha256)), derOctetString(signature),
  );
  const signedData = derSequence(
    derUnsigned(3), derSet(sha256), derSequence(derOid(OID.cmsData), derExplicit(0, derOctetString(eContent))), derSet(signerInfo),
  );
  const cms = derSequence(derOid(OID.cmsSignedData), derExplicit(0, signedData));
  if (cms.length > MAX_CERTIFICATION_DECLARATION_LENGTH) {
    throw new RangeError(`content: the signed declaration is ${cms.length} bytes; at most ${MAX_CERTIFICATION_DECLARATION_LENGTH}`);
  }
  return cms;
}
