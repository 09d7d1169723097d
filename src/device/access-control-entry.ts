// Access control entries and the access check (Matter Core spec §6.6 "Access Control", §6.6.6 "Access Control
// Privilege Granting Algorithm"): an entry grants a privilege to subjects (operational node ids or CASE
// Authenticated Tags) on targets (cluster, endpoint, device type), within one fabric. A request is allowed when some
// entry of the session's fabric, with the session's auth mode, covers the subject, the target and the privilege.
import type { InteractionContext, Privilege } from '../interaction/interaction-server.js';

/** AccessControlEntryPrivilegeEnum. */
export const AclPrivilegeLevel = { view: 1, proxyView: 2, operate: 3, manage: 4, administer: 5 } as const;
/** AccessControlEntryAuthModeEnum. */
export const AclAuthModeValue = { pase: 1, case: 2, group: 3 } as const;

export interface AclTarget {
  cluster: number | null;
  endpoint: number | null;
  deviceType: number | null;
}

export interface AclEntry {
  fabricIndex: number;
  /** 1 view, 2 proxy view, 3 operate, 4 manage, 5 administer. */
  privilege: number;
  /** 2 CASE, 3 group (PASE entries are not stored: spec §6.6.2.1). */
  authMode: number;
  /** Null: every subject of the auth mode. */
  subjects: bigint[] | null;
  /** Null: everything on the node. */
  targets: AclTarget[] | null;
}

/** Spec §6.6.5.1 limits this node announces (the minimums the spec requires). */
export const ACL_LIMITS = { subjectsPerEntry: 4, targetsPerEntry: 3, entriesPerFabric: 4 } as const;

/** A CAT as an ACL subject: 0xFFFFFFFD in the upper 32 bits, the 32-bit tag (identifier << 16 | version) below. */
const CAT_PREFIX = 0xffff_fffd_0000_0000n;
const isCatSubject = (subject: bigint) => (subject & 0xffff_ffff_0000_0000n) === CAT_PREFIX;
const isOperationalNodeId = (subject: bigint) => subject >= 1n && subject <= 0xffff_ffef_ffff_ffffn;

const LEVEL: Record<Privilege, number> = { view: 1, operate: 3, manage: 4, administer: 5 };

/** Whether an entry's privilege includes `wanted` (administer ⊇ manage ⊇ operate ⊇ view; proxy view ⊇ view). */
function grants(entryPrivilege: number, wanted: Privilege): boolean {
  const level = LEVEL[wanted];
  if (entryPrivilege === AclPrivilegeLevel.proxyView) return level === 1;
  return entryPrivilege >= level;
}

function subjectMatches(subjects: bigint[] | null, nodeId: bigint, tags: readonly number[]): boolean {
  if (subjects === null || subjects.length === 0) return true;
  for (const subject of subjects) {
    if (subject === nodeId) return true;
    if (isCatSubject(subject)) {
      // Spec §6.6.2.1.2: a CAT subject matches a session CAT with the same identifier and a version at least as new.
      const wanted = Number(subject & 0xffff_ffffn);
      for (const tag of tags) if (tag >>> 16 === wanted >>> 16 && (tag & 0xffff) >= (wanted & 0xffff)) return true;
    }
  }
  return false;
}

function targetMatches(targets: AclTarget[] | null, endpoint: number, cluster: number,
  deviceTypesOf: (endpoint: number) => readonly number[]): boolean {
  if (targets === null || targets.length === 0) return true;
  return targets.some((t) => (t.cluster === null || t.cluster === cluster)
    && (t.endpoint === null || t.endpoint === endpoint)
    && (t.deviceType === null || deviceTypesOf(endpoint).includes(t.deviceType)));
}

/** The §6.6.6 check for a CASE request on `fabricIndex`. */
export function aclAllows(entries: readonly AclEntry[], context: Pick<InteractionContext, 'subject' | 'caseAuthenticatedTags'>,
  fabricIndex: number, path: { endpoint: number; cluster: number }, privilege: Privilege,
  deviceTypesOf: (endpoint: number) => readonly number[] = () => []): boolean {
  return entries.some((entry) => entry.fabricIndex === fabricIndex && entry.authMode === AclAuthModeValue.case
    && grants(entry.privilege, privilege) && subjectMatches(entry.subjects, context.subject, context.caseAuthenticatedTags)
    && targetMatches(entry.targets, path.endpoint, path.cluster, deviceTypesOf));
}

/**
 * Why an entry may not be stored (spec §9.10.5.3 constraints), or undefined if it may: the message names the field.
 */
export function aclEntryProblem(entry: AclEntry): string | undefined {
  if (!Number.isInteger(entry.privilege) || entry.privilege < 1 || entry.privilege > 5) return `privilege: expected 1 to 5, got ${entry.privilege}`;
  if (entry.authMode !== AclAuthModeValue.case && entry.authMode !== AclAuthModeValue.group) {
    return `authMode: expected 2 (CASE) or 3 (group), got ${entry.authMode}`;
  }
  if (entry.authMode === AclAuthModeValue.group && entry.privilege === AclPrivilegeLevel.administer) {
    return 'privilege: a group entry cannot grant Administer';
  }
  if (entry.subjects !== null) {
    if (entry.subjects.length > ACL_LIMITS.subjectsPerEntry) return `subjects: at most ${ACL_LIMITS.subjectsPerEntry}`;
    for (const [i, subject] of entry.subjects.entries()) {
      const ok = entry.authMode === AclAuthModeValue.case
        ? isOperationalNodeId(subject) || (isCatSubject(subject) && (subject & 0xffffn) !== 0n)
        : subject >= 1n && subject <= 0xffffn;
      if (!ok) return `subjects[${i}]: 0x${subject.toString(16)} is not a valid subject for this auth mode`;
    }
  }
  if (entry.targets !== null) {
    if (entry.targets.length > ACL_LIMITS.targetsPerEntry) return `targets: at most ${ACL_LIMITS.targetsPerEntry}`;
    for (const [i, t] of entry.targets.entries()) {
      if (t.cluster === null && t.endpoint === null && t.deviceType === null) return `targets[${i}]: names nothing`;
      if (t.endpoint !== null && t.deviceType !== null) return `targets[${i}]: endpoint and deviceType are exclusive`;
    }
  }
  return undefined;
}

/** CaseAdminSubject of AddNOC (spec §11.18.6.8): an operational node id or a CAT with a non-zero version. */
export function isValidCaseAdminSubject(subject: bigint): boolean {
  return isOperationalNodeId(subject) || (isCatSubject(subject) && (subject & 0xffffn) !== 0n);
}
