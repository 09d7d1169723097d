// A fail-safe context shared by the instances serving one node (Matter Core spec §11.10.7.2 "ArmFailSafe",
// §11.10.7.2.2 expiry and rollback): behind a round-robin balancer each commissioning step may reach another
// instance of an edge fleet, so the context (expiry, arming session, breadcrumb, the CSR's operational key, the
// added root, the pending fabric, the ACL snapshot) lives in the fleet's store, not one instance's memory. This
// file names the store's contract and turns a context into bytes and back; the store (src/edge/fleet-fail-safe.ts)
// seals them. Secrets travel as separate byte fields, so every copy of them can be wiped.
import { packFields, unpackFields } from '../protocol/parked-handshakes.js';
import type { AclEntry } from './access-control-entry.js';
import type { FailSafeContext } from './fail-safe.js';

/**
 * Where the instances of a fleet keep the node's one fail-safe context. Every write is a compare-and-set on the
 * version read before, so two commissioners racing from two instances cannot both arm, and of the instances that
 * notice an expiry (or get ArmFailSafe(0), or CommissioningComplete) exactly one ends the context.
 */
export interface SharedFailSafeStore {
  /** The stored context and its version (opaque bytes), or undefined when none is stored. */
  load(): Promise<{ state: Uint8Array; version: Uint8Array } | undefined>;
  /**
   * Stores `state` if the stored version is still `expected` (undefined: nothing stored), removed by the store
   * `ttlMs` from now. Resolves the new version, or undefined when another writer came first (nothing written).
   */
  save(state: Uint8Array, expected: Uint8Array | undefined, ttlMs: number): Promise<Uint8Array | undefined>;
  /** Removes the context if its version is still `expected`: resolves true for exactly one caller. */
  end(expected: Uint8Array): Promise<boolean>;
  /** Ends a secure session on every instance (the commissioning PASE session, spec §11.10.7.6). */
  endSession(sessionId: number): Promise<void>;
}

/** A shared context as read back: the context, its timing (the scheduler's clock, ms) and the breadcrumb. */
export interface SharedFailSafe {
  context: FailSafeContext;
  firstArmedAt: number;
  expiresAt: number;
  breadcrumb: bigint;
}

const FORMAT = 1;
const EMPTY = new Uint8Array(0);
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (s: unknown, field: string): Uint8Array => {
  if (typeof s !== 'string' || !/^(?:[0-9a-f]{2})*$/.test(s)) throw new TypeError(`shared fail-safe: ${field} is not hex`);
  return Uint8Array.from(s.match(/../g) ?? [], (x) => parseInt(x, 16));
};

/** The context as bytes: [public fields as JSON | CSR private key | previous record's operational key | its IPK]. */
export function encodeSharedFailSafe(shared: SharedFailSafe): Uint8Array {
  const { context: c } = shared;
  const p = c.previousRecord;
  const json = {
    format: FORMAT, firstArmedAt: shared.firstArmedAt, expiresAt: shared.expiresAt, breadcrumb: shared.breadcrumb.toString(),
    sessionKey: c.sessionKey, sessionId: c.sessionId, sessionKind: c.sessionKind, armedFabricIndex: c.armedFabricIndex ?? null,
    acl: c.aclSnapshot.map((e) => ({ ...e, subjects: e.subjects?.map(String) ?? null })),
    root: c.rootCertificate ? hex(c.rootCertificate) : null,
    csr: c.csr ? { publicKey: hex(c.csr.keyPair.publicKey), sessionId: c.csr.sessionId, forUpdateNoc: c.csr.forUpdateNoc } : null,
    addedFabricIndex: c.addedFabricIndex ?? null,
    previous: p ? { fabricIndex: p.fabricIndex, rcac: hex(p.rcac), icac: p.icac ? hex(p.icac) : null, noc: hex(p.noc), vendorId: p.vendorId, label: p.label } : null,
  };
  return packFields([new TextEncoder().encode(JSON.stringify(json)), c.csr?.keyPair.privateKey ?? EMPTY,
    p?.operationalPrivateKey ?? EMPTY, p?.ipkEpochKey ?? EMPTY]);
}

/** Reads what encodeSharedFailSafe wrote (TypeError naming the field for anything else); secrets are copied out. */
export function decodeSharedFailSafe(bytes: Uint8Array): SharedFailSafe {
  const [jsonBytes, csrKey, previousKey, previousIpk] = unpackFields(bytes, 4);
  const j = JSON.parse(new TextDecoder().decode(jsonBytes)) as Record<string, any>;
  if (j.format !== FORMAT) throw new TypeError(`shared fail-safe: format ${String(j.format)}, expected ${FORMAT}`);
  const num = (v: unknown, field: string): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new TypeError(`shared fail-safe: ${field} is not an integer`);
    return v;
  };
  const optional = (v: unknown, field: string) => (v === null || v === undefined ? undefined : num(v, field));
  const context: FailSafeContext = {
    sessionKey: String(j.sessionKey), sessionId: num(j.sessionId, 'sessionId'), sessionKind: j.sessionKind === 'case' ? 'case' : 'pase',
    armedFabricIndex: optional(j.armedFabricIndex, 'armedFabricIndex'),
    aclSnapshot: (j.acl as Array<Omit<AclEntry, 'subjects'> & { subjects: string[] | null }>).map((e) => ({
      ...e, subjects: e.subjects === null ? null : e.subjects.map((s) => BigInt(s)),
    })),
  };
  if (j.root !== null) context.rootCertificate = unhex(j.root, 'root');
  if (j.csr !== null) {
    context.csr = {
      keyPair: { privateKey: csrKey!.slice(), publicKey: unhex(j.csr.publicKey, 'csr.publicKey') },
      sessionId: num(j.csr.sessionId, 'csr.sessionId'), forUpdateNoc: j.csr.forUpdateNoc === true,
    };
  }
  const added = optional(j.addedFabricIndex, 'addedFabricIndex');
  if (added !== undefined) context.addedFabricIndex = added;
  if (j.previous !== null) {
    const p = j.previous;
    context.previousRecord = {
      fabricIndex: num(p.fabricIndex, 'previous.fabricIndex'), rcac: unhex(p.rcac, 'previous.rcac'),
      icac: p.icac === null ? undefined : unhex(p.icac, 'previous.icac'), noc: unhex(p.noc, 'previous.noc'),
      operationalPrivateKey: previousKey!.slice(), ipkEpochKey: previousIpk!.slice(), vendorId: num(p.vendorId, 'previous.vendorId'),
      label: String(p.label), pending: false,
    };
  }
  return {
    context, firstArmedAt: num(j.firstArmedAt, 'firstArmedAt'), expiresAt: num(j.expiresAt, 'expiresAt'), breadcrumb: BigInt(j.breadcrumb),
  };
}
