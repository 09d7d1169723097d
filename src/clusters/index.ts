// Typed cluster definitions (Matter Application Cluster spec / Data Model): ids, attribute types, commands with
// their request and response fields, for the Interaction Model client and server.
export {
  type FieldType, type Field, type StructType, type StructValue, uint, uint64, int, enum8, enum16, bitmap8, bitmap16,
  bitmap32, bool, octets, string, list, nullable, struct, field, optional,
} from './field-schema.js';
export {
  type AttributeDefinition, type CommandDefinition, type CommandInvocation, type CommandResult, defineCommand, attribute,
  commandEncoders,
} from './cluster-definition.js';
export { serveCommand } from './serve-command.js';
export { invokeCommand } from './invoke-command.js';
export { BasicInformationCluster, CapabilityMinimaStruct } from './basic-information.js';
export {
  GeneralCommissioningCluster, generalCommissioning, CommissioningErrorCode, RegulatoryLocationType, BasicCommissioningInfo,
} from './general-commissioning.js';
export {
  OperationalCredentialsCluster, operationalCredentials, NodeOperationalCertStatus, CertificateChainType, NocStruct,
  FabricDescriptorStruct, NocsrElements as NocsrElementsStruct, AttestationElements as AttestationElementsStruct,
} from './operational-credentials.js';
export { DescriptorCluster, DeviceTypeStruct } from './descriptor.js';
export { AccessControlCluster, AccessControlEntryStruct, AccessControlTargetStruct, AclPrivilege, AclAuthMode } from './access-control.js';
export {
  AdministratorCommissioningCluster, administratorCommissioning, AdministratorCommissioningStatus, CommissioningWindowStatus,
} from './administrator-commissioning.js';
export { OnOffCluster, onOff } from './on-off.js';
export { serveAttributes, readClusterAttribute, writeClusterAttribute } from './cluster-attributes.js';
