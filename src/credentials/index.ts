// Operational credentials (Matter Core spec §6 "Device Attestation and Operational Credentials"): fabric-level
// derivations, Matter TLV certificates and their X.509 form, chain validation, a fabric CA, CSRs and device
// attestation. Everything is synchronous and imports nothing runtime-specific.
export { compressedFabricId, COMPRESSED_FABRIC_ID_LENGTH } from './compressed-fabric-id.js';
export { operationalIpk } from './operational-ipk.js';
export { caseDestinationId, type CaseDestinationIdInput } from './case-destination-id.js';
export { CertificateError, type CertificateFailure, type CertificateRole } from './certificate-error.js';
export {
  decodeMatterCertificate, encodeMatterCertificate, DnTag, MATTER_EPOCH_OFFSET_SECONDS, MAX_TLV_CERTIFICATE_LENGTH,
  type MatterCertificate, type DnAttribute, type CertificateExtension,
} from './matter-certificate.js';
export { certificateToDer, certificateFromDer, tbsCertificateDer } from './certificate-der.js';
export { parseX509Certificate, type X509Certificate, type X509Attribute, type X509Extension } from './x509-certificate.js';
export {
  decodeOperationalCertificate, KeyUsage, KeyPurpose, MIN_OPERATIONAL_NODE_ID, MAX_OPERATIONAL_NODE_ID,
  MAX_CASE_AUTHENTICATED_TAGS, type OperationalCertificateInfo,
} from './operational-certificate.js';
export { validateOperationalChain, type OperationalChainInput, type OperationalChainResult } from './operational-chain.js';
export { keyIdentifier } from './key-identifier.js';
export { signMatterCertificate } from './certificate-signer.js';
export {
  FabricAuthority, type FabricAuthorityOptions, type IssueNocOptions, type FabricAuthorityJson,
} from './fabric-authority.js';
export { createCsr, publicKeyFromCsr, MAX_CSR_LENGTH } from './certificate-signing-request.js';
export { parseAttestationCertificate, type AttestationCertificate } from './attestation-certificate.js';
export {
  decodeAttestationElements, decodeNocsrElements, type AttestationElements, type NocsrElements,
} from './attestation-elements.js';
export {
  parseCertificationDeclaration, verifyCertificationDeclaration, CertificationType,
  type CertificationDeclaration, type CertificationDeclarationContent,
} from './certification-declaration.js';
export {
  verifyDeviceAttestation, type DeviceAttestationInput, type DeviceAttestationResult, type AttestationFinding,
  type AttestationFindingCode,
} from './device-attestation.js';
export { TEST_PAAS, TEST_PAA_NO_VID, TEST_PAA_FFF1, TEST_CD_SIGNER, TEST_CD_SIGNERS } from './test-attestation-trust.js';
