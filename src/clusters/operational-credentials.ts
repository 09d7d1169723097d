// Operational Credentials cluster (spec 11.18, cluster id 0x003E): device attestation (certificate chain,
// attestation request), the CSR for the node's operational key, the trusted root, and the NOC that joins a fabric.
import { attribute, commandEncoders, defineCommand } from './cluster-definition.js';
import { bool, enum8, field, list, nullable, octets, optional, string, struct, uint, uint64 } from './field-schema.js';

const ID = 0x003e;

/** NodeOperationalCertStatusEnum: the StatusCode of NOCResponse. */
export const NodeOperationalCertStatus = {
  ok: 0, invalidPublicKey: 1, invalidNodeOpId: 2, invalidNoc: 3, missingCsr: 4, tableFull: 5, invalidAdminSubject: 6,
  fabricConflict: 9, labelConflict: 10, invalidFabricIndex: 11,
} as const;
/** CertificateChainTypeEnum. */
export const CertificateChainType = { dac: 1, pai: 2 } as const;

// Size limits from the spec's field constraints: certificates in Matter TLV at most 400 bytes, DER at most 600,
// the attestation and CSR elements at most 900; signatures are raw r||s (64 bytes), nonces 32 bytes.
const matterCertificate = octets({ max: 400 });
const signature = octets({ length: 64 });
const nonce = octets({ length: 32 });

export const NocStruct = struct({ noc: field(1, matterCertificate), icac: field(2, nullable(matterCertificate)), fabricIndex: field(0xfe, uint(8)) });
export const FabricDescriptorStruct = struct({
  rootPublicKey: field(1, octets({ length: 65 })), vendorId: field(2, uint(16)), fabricId: field(3, uint64),
  nodeId: field(4, uint64), label: field(5, string({ max: 32 })), fabricIndex: field(0xfe, uint(8)),
});
/** The TLV inside CSRResponse's NOCSRElements: {1 CSR (PKCS#10 DER), 2 CSRNonce}; tags 3-5 are vendor reserved. */
export const NocsrElements = struct({ csr: field(1, octets()), csrNonce: field(2, nonce) });
/** The TLV inside AttestationResponse's AttestationElements. */
export const AttestationElements = struct({
  certificationDeclaration: field(1, octets()), attestationNonce: field(2, nonce), timestamp: field(3, uint(32)),
  firmwareInformation: optional(4, octets()),
});

const nocResponse = struct({
  statusCode: field(0, enum8), fabricIndex: optional(1, uint(8, { min: 1, max: 254 })), debugText: optional(2, string({ max: 128 })),
});

export const OperationalCredentialsCluster = {
  id: ID,
  name: 'OperationalCredentials',
  attributes: {
    nocs: attribute(0x0000, 'NOCs', list(NocStruct)),
    fabrics: attribute(0x0001, 'Fabrics', list(FabricDescriptorStruct)),
    supportedFabrics: attribute(0x0002, 'SupportedFabrics', uint(8)),
    commissionedFabrics: attribute(0x0003, 'CommissionedFabrics', uint(8)),
    trustedRootCertificates: attribute(0x0004, 'TrustedRootCertificates', list(matterCertificate)),
    currentFabricIndex: attribute(0x0005, 'CurrentFabricIndex', uint(8)),
  },
  commands: {
    attestationRequest: defineCommand(ID, 0x00, 'AttestationRequest', {
      request: struct({ attestationNonce: field(0, nonce) }),
      response: { id: 0x01, name: 'AttestationResponse', type: struct({
        attestationElements: field(0, octets({ max: 900 })), attestationSignature: field(1, signature) }) },
    }),
    certificateChainRequest: defineCommand(ID, 0x02, 'CertificateChainRequest', {
      request: struct({ certificateType: field(0, enum8) }),
      response: { id: 0x03, name: 'CertificateChainResponse', type: struct({ certificate: field(0, octets({ max: 600 })) }) },
    }),
    csrRequest: defineCommand(ID, 0x04, 'CSRRequest', {
      request: struct({ csrNonce: field(0, nonce), isForUpdateNoc: optional(1, bool) }),
      response: { id: 0x05, name: 'CSRResponse', type: struct({
        nocsrElements: field(0, octets({ max: 900 })), attestationSignature: field(1, signature) }) },
    }),
    addNoc: defineCommand(ID, 0x06, 'AddNOC', {
      request: struct({
        nocValue: field(0, matterCertificate), icacValue: optional(1, matterCertificate), ipkValue: field(2, octets({ length: 16 })),
        caseAdminSubject: field(3, uint64), adminVendorId: field(4, uint(16)),
      }),
      response: { id: 0x08, name: 'NOCResponse', type: nocResponse },
    }),
    updateNoc: defineCommand(ID, 0x07, 'UpdateNOC', {
      request: struct({ nocValue: field(0, matterCertificate), icacValue: optional(1, matterCertificate) }),
      response: { id: 0x08, name: 'NOCResponse', type: nocResponse },
    }),
    updateFabricLabel: defineCommand(ID, 0x09, 'UpdateFabricLabel', {
      request: struct({ label: field(0, string({ max: 32 })) }),
      response: { id: 0x08, name: 'NOCResponse', type: nocResponse },
    }),
    removeFabric: defineCommand(ID, 0x0a, 'RemoveFabric', {
      request: struct({ fabricIndex: field(0, uint(8, { min: 1, max: 254 })) }),
      response: { id: 0x08, name: 'NOCResponse', type: nocResponse },
    }),
    addTrustedRootCertificate: defineCommand(ID, 0x0b, 'AddTrustedRootCertificate', {
      request: struct({ rootCaCertificate: field(0, matterCertificate) }),
    }),
  },
} as const;

/** `operationalCredentials.csrRequest({ csrNonce })` -> what `invoke()` sends. */
export const operationalCredentials = commandEncoders(OperationalCredentialsCluster.commands);
