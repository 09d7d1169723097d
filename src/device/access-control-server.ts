// The Access Control cluster server (Matter Core spec §9.10, cluster 0x001F): the ACL as a fabric-scoped list —
// a reader sees and a writer replaces its own fabric's entries only — with the limits the node announces. The
// entries themselves live in the fabric table; the check that enforces them is aclAllows() in the authorize hook.
import { tlv } from '../codec/tlv.js';
import { AccessControlCluster as Cluster, AccessControlEntryStruct } from '../clusters/access-control.js';
import type { ServedCluster } from '../interaction/interaction-server.js';
import { ConstraintError, InteractionStatusError } from '../interaction/interaction-status-error.js';
import { InteractionModelStatus as Status } from '../interaction/status-codes.js';
import { ACL_LIMITS, aclEntryProblem, type AclEntry } from './access-control-entry.js';
import type { DeviceContext } from './device-context.js';

export function accessControlServer(device: DeviceContext): ServedCluster {
  const { attributes: a } = Cluster;
  return {
    attributes: {
      [a.acl.id]: {
        readPrivilege: 'administer',
        writePrivilege: 'administer',
        value: (context) => {
          const fabricIndex = context ? device.fabricOf(context) : undefined;
          const entries = fabricIndex === undefined ? [] : device.fabrics.aclOf(fabricIndex);
          return a.acl.type.encode(entries.map((e) => ({
            privilege: e.privilege, authMode: e.authMode, subjects: e.subjects, fabricIndex: e.fabricIndex,
            targets: e.targets?.map((t) => ({ cluster: t.cluster, endpoint: t.endpoint, deviceType: t.deviceType })) ?? null,
          })), 'ACL');
        },
        write: async (value, context) => {
          const fabricIndex = device.fabricOf(context);
          if (fabricIndex === undefined) throw new InteractionStatusError(Status.unsupportedAccess, 'ACL: the session has no fabric');
          if (value.type !== 'array') throw new ConstraintError('ACL', 'expected a list');
          if (value.elements.length > ACL_LIMITS.entriesPerFabric) {
            throw new InteractionStatusError(Status.resourceExhausted, `ACL: at most ${ACL_LIMITS.entriesPerFabric} entries per fabric`);
          }
          const entries: AclEntry[] = value.elements.map((element, i) => {
            const decoded = AccessControlEntryStruct.decode(element, `ACL[${i}]`);
            const entry: AclEntry = {
              fabricIndex, privilege: decoded.privilege, authMode: decoded.authMode, subjects: decoded.subjects,
              targets: decoded.targets?.map((t) => ({ cluster: t.cluster, endpoint: t.endpoint, deviceType: t.deviceType })) ?? null,
            };
            const problem = aclEntryProblem(entry);
            if (problem) throw new ConstraintError(`ACL[${i}].${problem.split(':')[0]}`, problem);
            return entry;
          });
          await device.fabrics.setAcl(fabricIndex, entries);
        },
      },
      [a.extension.id]: { value: tlv.array([]) },
      [a.subjectsPerAccessControlEntry.id]: { value: tlv.uint(ACL_LIMITS.subjectsPerEntry) },
      [a.targetsPerAccessControlEntry.id]: { value: tlv.uint(ACL_LIMITS.targetsPerEntry) },
      [a.accessControlEntriesPerFabric.id]: { value: tlv.uint(ACL_LIMITS.entriesPerFabric) },
    },
  };
}
