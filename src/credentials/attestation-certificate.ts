// Device attestation certificates (Matter Core spec §6.2 "Device Attestation": DAC, PAI and PAA): X.509 DER, with the
// vendor and product ids in the subject as Matter attributes (1.3.6.1.4.1.37244.2.1 / .2.2, four upper-case hex
// digits), or, in older certificates, as "Mvid:FFF1 Mpid:8000" inside the common name (the fallback encoding the spec
// still allows).
import { CertificateError } from './certificate-error.js';
import { DerTag } from './der-reader.js';
import { OID } from './object-identifiers.js';
import { parseX509Certificate, type X509Certificate } from './x509-certificate.js';

const COMMON_NAME = '2.5.4.3';

export interface AttestationCertificate extends X509Certificate {
  vendorId?: number;
  productId?: number;
}

function idAttribute(cert: X509Certificate, oid: string, fallback: RegExp, what: string): number | undefined {
  const attributes = cert.subject.filter((a) => a.oid === oid);
  if (attributes.length > 1) {
    throw new CertificateError('malformed-der', `subject has ${attributes.length} ${what} attributes`);
  }
  if (attributes.length === 1) {
    const { value, stringTag } = attributes[0]!;
    if (stringTag !== DerTag.UTF8_STRING || !/^[0-9A-F]{4}$/.test(value)) {
      throw new CertificateError('malformed-der', `${what}: expected a UTF8String of 4 upper-case hex digits, got "${value}"`);
    }
    return parseInt(value, 16);
  }
  for (const { oid: attributeOid, value } of cert.subject) {
    const match = attributeOid === COMMON_NAME ? fallback.exec(value) : null;
    if (match) return parseInt(match[1]!, 16);
  }
  return undefined;
}

/** Parses a DAC, PAI or PAA (X.509 DER) and reads its vendor and product ids. Throws CertificateError. */
export function parseAttestationCertificate(der: Uint8Array): AttestationCertificate {
  const cert: AttestationCertificate = parseX509Certificate(der);
  const vendorId = idAttribute(cert, OID.matterVendorId, /Mvid:([0-9A-F]{4})/, 'vendor id');
  const productId = idAttribute(cert, OID.matterProductId, /Mpid:([0-9A-F]{4})/, 'product id');
  if (vendorId !== undefined) cert.vendorId = vendorId;
  if (productId !== undefined) cert.productId = productId;
  return cert;
}
