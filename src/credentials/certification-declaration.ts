// The Certification Declaration (Matter Core spec §6.3 "Certification Declaration"): a CSA-signed TLV statement of
// which vendor and products are certified, wrapped in CMS SignedData (RFC 5652 §5) with the signer named by subject
// key identifier. Only the shape Matter uses is accepted: one SignerInfo, SHA-256, ECDSA, no signed attributes (so
// the signature covers the eContent octets directly).
import { decodeTlvStruct } from '../codec/index.js';
import { ecdsaDerToRaw, ecdsaVerifySha256 } from '../crypto/p256.js';
import { CertificateError } from './certificate-error.js';
import { DerTag, contextTag, decodeDer, members, readOctetString, readOid, readSmallUnsigned } from './der-reader.js';
import { OID } from './object-identifiers.js';
import { parseX509Certificate } from './x509-certificate.js';

/** Declarations are carried inside AttestationElements (at most 900 bytes). */
export const MAX_CERTIFICATION_DECLARATION_LENGTH = 900;

export const CertificationType = Object.freeze({ test: 0, provisional: 1, official: 2 });

export interface CertificationDeclarationContent {
  formatVersion: number;
  vendorId: number;
  productIds: number[];
  deviceTypeId: number;
  certificateId: string;
  securityLevel: number;
  securityInformation: number;
  versionNumber: number;
  /** 0 test, 1 provisional, 2 official. */
  certificationType: number;
  dacOriginVendorId?: number;
  dacOriginProductId?: number;
  /** SKIDs of the PAAs allowed to anchor this product's DACs. */
  authorizedPaaList?: Uint8Array[];
}

export interface CertificationDeclaration {
  content: CertificationDeclarationContent;
  /** The signed eContent (the TLV). */
  signedContent: Uint8Array;
  signerKeyId: Uint8Array;
  /** Raw r ‖ s. */
  signature: Uint8Array;
}

const malformed = (message: string): never => { throw new CertificateError('malformed-der', `Certification Declaration: ${message}`); };

export function parseCertificationDeclaration(cms: Uint8Array): CertificationDeclaration {
  if (!(cms instanceof Uint8Array)) {
    throw new TypeError(`certificationDeclaration: expected a Uint8Array, got ${typeof cms}`);
  }
  if (cms.length > MAX_CERTIFICATION_DECLARATION_LENGTH) {
    malformed(`${cms.length} bytes; at most ${MAX_CERTIFICATION_DECLARATION_LENGTH}`);
  }
  const [contentType, wrapped] = members(decodeDer(cms, 'certificationDeclaration'), DerTag.SEQUENCE, 'ContentInfo', { min: 2, max: 2 });
  if (readOid(contentType, 'ContentInfo.contentType') !== OID.cmsSignedData) malformed('contentType is not signedData');
  const [signedData] = members(wrapped, contextTag(0), 'ContentInfo.content', { min: 1, max: 1 });
  const parts = members(signedData, DerTag.SEQUENCE, 'SignedData', { min: 4, max: 6 });
  readSmallUnsigned(parts[0], 'SignedData.version');
  const digests = members(parts[1], DerTag.SET, 'SignedData.digestAlgorithms', { min: 1 });
  for (const digest of digests) {
    if (readOid(members(digest, DerTag.SEQUENCE, 'digestAlgorithm', { min: 1 })[0], 'digestAlgorithm') !== OID.sha256) {
      throw new CertificateError('unsupported-algorithm', 'Certification Declaration: digest algorithm other than SHA-256');
    }
  }
  const [, encapsulated] = members(parts[2], DerTag.SEQUENCE, 'encapContentInfo', { min: 2, max: 2 });
  const signedContent = readOctetString(members(encapsulated, contextTag(0), 'eContent', { min: 1, max: 1 })[0], 'eContent');
  const signerInfos = members(parts[parts.length - 1], DerTag.SET, 'signerInfos', { min: 1, max: 1 });
  const signer = members(signerInfos[0], DerTag.SEQUENCE, 'SignerInfo', { min: 5, max: 5 });
  const [, signerId, , algorithm, signatureNode] = signer;
  if (signerId!.tag !== contextTag(0, false)) malformed('SignerInfo.sid must be a subjectKeyIdentifier [0]');
  const signatureOid = readOid(members(algorithm, DerTag.SEQUENCE, 'signatureAlgorithm', { min: 1 })[0], 'signatureAlgorithm');
  if (signatureOid !== OID.ecdsaWithSha256) {
    throw new CertificateError('unsupported-algorithm', `Certification Declaration: signature algorithm ${signatureOid}`);
  }
  let signature: Uint8Array;
  try {
    signature = ecdsaDerToRaw(readOctetString(signatureNode, 'signature'));
  } catch (error) {
    if (error instanceof CertificateError) throw error;
    return malformed('signature is not an ECDSA-Sig-Value');
  }
  return { content: declarationContent(signedContent), signedContent, signerKeyId: signerId!.content, signature };
}

function declarationContent(tlv: Uint8Array): CertificationDeclarationContent {
  try {
    const fields = decodeTlvStruct(tlv);
    const productIds = fields.array(2).map((p) => {
      if (p.type !== 'uint' || Number(p.value) > 0xffff) {
        throw new RangeError('product_id_array: expected uint16 values');
      }
      return Number(p.value);
    });
    if (productIds.length < 1 || productIds.length > 100) throw new RangeError('product_id_array: 1 to 100 entries');
    const content: CertificationDeclarationContent = {
      formatVersion: fields.uint(0, 16), vendorId: fields.uint(1, 16), productIds, deviceTypeId: fields.uint(3),
      certificateId: fields.utf8(4), securityLevel: fields.uint(5, 8), securityInformation: fields.uint(6, 16),
      versionNumber: fields.uint(7, 16), certificationType: fields.uint(8, 8),
    };
    const originVendor = fields.optionalUint(9, 16), originProduct = fields.optionalUint(10, 16);
    if (originVendor !== undefined) content.dacOriginVendorId = originVendor;
    if (originProduct !== undefined) content.dacOriginProductId = originProduct;
    const paas = fields.optionalArray(11);
    if (paas) {
      content.authorizedPaaList = paas.map((p) => {
        if (p.type !== 'bytes' || p.value.length !== 20) {
          throw new RangeError('authorized_paa_list: expected 20-byte key identifiers');
        }
        return p.value;
      });
    }
    return content;
  } catch (error) {
    return malformed(`content: ${(error as Error).message}`);
  }
}

/** True when the declaration's signature verifies with the certificate (DER) whose SKID it names. */
export function verifyCertificationDeclaration(declaration: CertificationDeclaration, signerCertificate: Uint8Array): boolean {
  const signer = parseX509Certificate(signerCertificate);
  const keyId = signer.subjectKeyId;
  if (!keyId || keyId.length !== declaration.signerKeyId.length || keyId.some((b, i) => b !== declaration.signerKeyId[i])) {
    return false;
  }
  return ecdsaVerifySha256(signer.publicKey, declaration.signedContent, declaration.signature);
}
