// Signing a Matter certificate (Matter Core spec §6.5: the signature is ECDSA-with-SHA256 over the DER
// TBSCertificate, carried raw r ‖ s in the TLV form). Used by the fabric CA and by tests that re-sign altered
// certificates; the key never leaves this call.
import { ecdsaSignSha256 } from '../crypto/p256.js';
import { tbsCertificateDer } from './certificate-der.js';
import { encodeMatterCertificate, type MatterCertificate } from './matter-certificate.js';

/** The certificate with its signature (by `issuerPrivateKey`) filled in, as Matter TLV. */
export function signMatterCertificate(certificate: MatterCertificate, issuerPrivateKey: Uint8Array): Uint8Array {
  const signature = ecdsaSignSha256(issuerPrivateKey, tbsCertificateDer(certificate));
  return encodeMatterCertificate({ ...certificate, signature });
}
