// Operational credentials (Matter Core spec §6 "Device Attestation and Operational Credentials"): fabric-level
// derivations, Matter TLV certificates and their X.509 form, chain validation, a fabric CA, CSRs and device
// attestation. Everything is synchronous and imports nothing runtime-specific.
export { compressedFabricId, COMPRESSED_FABRIC_ID_LENGTH } from './compressed-fabric-id.js';
export { operationalIpk } from './operational-ipk.js';
export { caseDestinationId, type CaseDestinationIdInput } from './case-destination-id.js';
