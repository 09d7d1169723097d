// The object identifiers of Matter's X.509 profile (Matter Core spec §6.5 and Appendix E for the DN attributes, §6.2
// attestation DN attributes, RFC 5280 §4.2.1, RFC 5480, RFC 5652 for the Certification Declaration's CMS).

export const OID = Object.freeze({
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extendedKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  pkcs9ExtensionRequest: '1.2.840.113549.1.9.14',
  cmsSignedData: '1.2.840.113549.1.7.2',
  cmsData: '1.2.840.113549.1.7.1',
  sha256: '2.16.840.1.101.3.4.2.1',
  /** Attestation certificates' DN: Vendor ID and Product ID, as 4 upper-case hex digits. */
  matterVendorId: '1.3.6.1.4.1.37244.2.1',
  matterProductId: '1.3.6.1.4.1.37244.2.2',
});

/** Matter's extended key usage numbers (TLV) and their id-kp OIDs (RFC 5280 §4.2.1.12). */
export const KEY_PURPOSE_OIDS: Readonly<Record<number, string>> = Object.freeze({
  1: '1.3.6.1.5.5.7.3.1', // serverAuth
  2: '1.3.6.1.5.5.7.3.2', // clientAuth
  3: '1.3.6.1.5.5.7.3.3', // codeSigning
  4: '1.3.6.1.5.5.7.3.4', // emailProtection
  5: '1.3.6.1.5.5.7.3.8', // timeStamping
  6: '1.3.6.1.5.5.7.3.9', // OCSPSigning
});
