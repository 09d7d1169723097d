// The one error type of the credentials module: what was wrong (a typed `reason` a caller can branch on) and a
// message naming the certificate and field. Chain rules follow Matter Core spec §6.5 "Operational Certificate
// Encoding" and its certificate path validation (connectedhomeip CHIPCert.cpp ValidateCert).

export type CertificateFailure =
  /** The Matter TLV form is not a certificate (bad TLV, missing or mistyped field, value out of range). */
  | 'malformed-tlv'
  /** The DER form is not a well-formed DER certificate of Matter's X.509 subset. */
  | 'malformed-der'
  /** An algorithm, curve, attribute or extension Matter does not define (or cannot carry in TLV). */
  | 'unsupported-algorithm'
  /** A signature does not verify with the issuer's key. */
  | 'bad-signature'
  /** A subject or authority key identifier is missing or does not match its issuer. */
  | 'chain-key-id'
  /** The issuer DN is not the parent's subject DN (or an RCAC is not self-issued). */
  | 'chain-issuer'
  /** The subject DN lacks an attribute its role requires, or has one its role forbids. */
  | 'chain-subject'
  /** basicConstraints: a CA without isCA, a leaf with it, or a path longer than a pathLen allows. */
  | 'chain-basic-constraints'
  /** keyUsage or extendedKeyUsage not what the certificate's role requires. */
  | 'chain-key-usage'
  /** A fabric id in the RCAC or ICAC differs from the NOC's, or the NOC's is 0. */
  | 'chain-fabric-id'
  /** The NOC's node id is outside the operational range. */
  | 'chain-node-id'
  /** More than three CASE Authenticated Tags, a repeated tag identifier, or a CAT version of 0. */
  | 'chain-cat'
  /** A critical extension the validator does not understand. */
  | 'chain-critical-extension'
  /** A certificate is outside its validity period at the time given. */
  | 'chain-expired'
  | 'chain-not-yet-valid'
  /** A PKCS#10 certification request that is malformed or whose self-signature does not verify. */
  | 'bad-csr';

/** Which certificate (or request) the problem was found in, when it is one of a chain. */
export type CertificateRole = 'rcac' | 'icac' | 'noc' | 'csr' | 'certificate';

export class CertificateError extends Error {
  override name = 'CertificateError';
  constructor(readonly reason: CertificateFailure, message: string, readonly role: CertificateRole = 'certificate') {
    super(`${role === 'certificate' ? '' : `${role}: `}${message} (${reason})`);
  }
}
