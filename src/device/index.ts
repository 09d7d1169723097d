// The device side of commissioning (Matter Core spec §5.5, §6.6, §11.10, §11.18, §11.19): a commissionable node
// with its fabric table, fail-safe, commissioning window, root-endpoint clusters, ACL, and app endpoints.
export { MatterDeviceNode, ROOT_NODE_DEVICE_TYPE, type MatterDeviceNodeOptions } from './matter-device-node.js';
export { NodeFabricTable, type FabricRecord, type FabricDescriptor } from './node-fabric-table.js';
export { FailSafe, DEFAULT_MAX_CUMULATIVE_FAILSAFE_SECONDS, type FailSafeContext } from './fail-safe.js';
export { CommissioningWindow as AdministratorCommissioningWindow, WindowStatus, type WindowVerifier } from './commissioning-window.js';
export { ManualScheduler, systemScheduler, type DeviceScheduler } from './device-scheduler.js';
export {
  aclAllows, aclEntryProblem, isValidCaseAdminSubject, ACL_LIMITS, AclPrivilegeLevel, AclAuthModeValue, type AclEntry, type AclTarget,
} from './access-control-entry.js';
export {
  checkAttestationCredentials, AttestationCredentialsError, type AttestationCredentials, type CheckedAttestation,
} from './attestation-credentials.js';
export { createTestAttestation, type TestAttestationOptions } from './test-attestation.js';
export { OnOffLight, ON_OFF_LIGHT_DEVICE_TYPE } from './on-off-light.js';
export type { DeviceEndpoint, DeviceCluster } from './device-endpoint.js';
export type { DeviceBasicInformation } from './basic-information-server.js';
export { withGlobalAttributes, GlobalAttribute, type ClusterIdentity } from './global-attributes.js';
export { FAIL_SAFE_EXPIRY_LENGTH_SECONDS } from './general-commissioning-server.js';
export { MIN_COMMISSIONING_TIMEOUT_SECONDS, MAX_COMMISSIONING_TIMEOUT_SECONDS } from './administrator-commissioning-server.js';
