// Access Control cluster (spec 9.10, cluster id 0x001F): the ACL entries that grant subjects (node ids, CATs,
// groups) a privilege on targets. Here: the ids and the entry structure's codec; the checks live with the server.
import { attribute } from './cluster-definition.js';
import { enum8, field, list, nullable, optional, struct, uint, uint64 } from './field-schema.js';

/** AccessControlEntryPrivilegeEnum. */
export const AclPrivilege = { view: 1, proxyView: 2, operate: 3, manage: 4, administer: 5 } as const;
/** AccessControlEntryAuthModeEnum. */
export const AclAuthMode = { pase: 1, case: 2, group: 3 } as const;

/** AccessControlTargetStruct: any of cluster, endpoint and device type may be null (matching all). */
export const AccessControlTargetStruct = struct({
  cluster: field(0, nullable(uint(32))), endpoint: field(1, nullable(uint(16))), deviceType: field(2, nullable(uint(32))),
});

/** AccessControlEntryStruct (fabric scoped: FabricIndex is tag 0xFE). */
export const AccessControlEntryStruct = struct({
  privilege: field(1, enum8),
  authMode: field(2, enum8),
  subjects: field(3, nullable(list(uint64))),
  targets: field(4, nullable(list(AccessControlTargetStruct))),
  fabricIndex: optional(0xfe, uint(8)),
});

export const AccessControlCluster = {
  id: 0x001f,
  name: 'AccessControl',
  attributes: {
    acl: attribute(0x0000, 'ACL', list(AccessControlEntryStruct), true),
    extension: attribute(0x0001, 'Extension', list(uint(8)), true),
    subjectsPerAccessControlEntry: attribute(0x0002, 'SubjectsPerAccessControlEntry', uint(16)),
    targetsPerAccessControlEntry: attribute(0x0003, 'TargetsPerAccessControlEntry', uint(16)),
    accessControlEntriesPerFabric: attribute(0x0004, 'AccessControlEntriesPerFabric', uint(16)),
  },
  commands: {},
} as const;
