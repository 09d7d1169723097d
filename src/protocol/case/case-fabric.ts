// What CASE needs to know about a fabric this node has joined (Matter Core spec §4.14.2 "CASE", §6.4 "Node
// Operational Credentials"): its root, this node's NOC chain and operational key, the operational IPK that keys the
// destination id and salts every CASE key, and a way to check a peer's chain against the root.
import { compressedFabricId } from '../../credentials/compressed-fabric-id.js';
import { validateOperationalChain } from '../../credentials/operational-chain.js';
import { operationalIpk } from '../../credentials/operational-ipk.js';
import { p256PublicKey } from '../../crypto/p256.js';
import type { Fabric } from '../../session/fabric-table.js';

export interface CaseFabric {
  /** Local fabric index, 1..254; the SessionManager must hold a fabric with this index. */
  fabricIndex: number;
  fabricId: bigint;
  /** This node's operational node id on the fabric. */
  nodeId: bigint;
  /** The RCAC's public key (65 bytes, uncompressed). */
  rootPublicKey: Uint8Array;
  /** The operational IPK (16 bytes): HKDF of the IPK epoch key with the compressed fabric id ("GroupKey v1.0"). */
  operationalIpk: Uint8Array;
  /**
   * Other operational IPKs of group key set 0 still valid (during an epoch-key rotation): a responder matches the
   * destination id against each of them too (spec §4.14.2.4.1).
   */
  otherOperationalIpks?: readonly Uint8Array[] | undefined;
  /** Matter TLV certificates: root, optional intermediate, this node's NOC. */
  rcac: Uint8Array;
  icac?: Uint8Array | undefined;
  noc: Uint8Array;
  /** The NOC's private key (32 bytes). Only signing ever reads it. */
  operationalPrivateKey: Uint8Array;
}

/** Where a responder finds every fabric it has joined; read at each Sigma1, so fabrics may come and go. */
export interface CaseFabricSource {
  all(): Iterable<CaseFabric>;
  get(fabricIndex: number): CaseFabric | undefined;
  /**
   * Fabrics shared with other instances (an edge fleet): reloads what another instance added or removed. The
   * responder calls it only when something authenticated names a fabric it does not know (a parked handshake, a
   * resumption record), never for a stranger's Sigma1.
   */
  refresh?(): Promise<unknown>;
}

/** A peer's chain as received in TBEData2/3, and the root it must chain to. */
export interface OperationalChain {
  rcac: Uint8Array;
  icac?: Uint8Array | undefined;
  noc: Uint8Array;
}

/** What a valid chain proves about the peer. */
export interface VerifiedOperationalChain {
  nodeId: bigint;
  fabricId: bigint;
  caseAuthenticatedTags: number[];
  /** The NOC's public key: the key the peer's TBSData signature must verify with. */
  publicKey: Uint8Array;
  rootPublicKey: Uint8Array;
}

/**
 * Validates a NOC (and ICAC) against a root certificate: signatures, validity, key usages, fabric id consistency.
 * Throws when the chain is not valid.
 */
export type OperationalChainVerifier = (chain: OperationalChain) => VerifiedOperationalChain;

/** A fixed set of fabrics (a device's fabric table, a controller's own fabric). */
export class CaseFabrics implements CaseFabricSource {
  readonly #fabrics = new Map<number, CaseFabric>();

  constructor(fabrics: Iterable<CaseFabric> = []) {
    for (const fabric of fabrics) this.set(fabric);
  }

  /** Adds or replaces the fabric with this index. */
  set(fabric: CaseFabric): void {
    checkCaseFabric(fabric);
    this.#fabrics.set(fabric.fabricIndex, fabric);
  }

  delete(fabricIndex: number): boolean {
    return this.#fabrics.delete(fabricIndex);
  }

  all(): Iterable<CaseFabric> {
    return this.#fabrics.values();
  }

  get(fabricIndex: number): CaseFabric | undefined {
    return this.#fabrics.get(fabricIndex);
  }
}

function bytesOf(name: string, value: unknown, length?: number): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`fabric.${name}: expected a Uint8Array`);
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`fabric.${name}: expected ${length} bytes, got ${value.length}`);
  }
}

/** Checks a fabric's fields; throws a TypeError/RangeError naming the first bad one. */
export function checkCaseFabric(fabric: CaseFabric): CaseFabric {
  if (typeof fabric !== 'object' || fabric === null) throw new TypeError('fabric: expected an object');
  if (!Number.isInteger(fabric.fabricIndex) || fabric.fabricIndex < 1 || fabric.fabricIndex > 254) {
    throw new RangeError(`fabric.fabricIndex: expected an integer from 1 to 254, got ${String(fabric.fabricIndex)}`);
  }
  if (typeof fabric.fabricId !== 'bigint') throw new TypeError('fabric.fabricId: expected a bigint');
  if (typeof fabric.nodeId !== 'bigint') throw new TypeError('fabric.nodeId: expected a bigint');
  bytesOf('rootPublicKey', fabric.rootPublicKey, 65);
  bytesOf('operationalIpk', fabric.operationalIpk, 16);
  for (const [i, ipk] of (fabric.otherOperationalIpks ?? []).entries()) bytesOf(`otherOperationalIpks[${i}]`, ipk, 16);
  bytesOf('rcac', fabric.rcac);
  if (fabric.icac !== undefined) bytesOf('icac', fabric.icac);
  bytesOf('noc', fabric.noc);
  bytesOf('operationalPrivateKey', fabric.operationalPrivateKey, 32);
  return fabric;
}

export interface CaseFabricCredentials {
  fabricIndex: number;
  rcac: Uint8Array;
  icac?: Uint8Array | undefined;
  noc: Uint8Array;
  operationalPrivateKey: Uint8Array;
  /** The IPK epoch key (AddNOC's IPKValue, 16 bytes), from which the operational IPK is derived... */
  ipkEpochKey?: Uint8Array;
  /** ...or the operational IPK itself. Exactly one of the two. */
  operationalIpk?: Uint8Array;
  /** Other epoch keys of group key set 0 still valid during a rotation (the responder accepts them too). */
  otherIpkEpochKeys?: readonly Uint8Array[];
}

/**
 * A CaseFabric from this node's certificates: the chain is validated (so a broken NOC fails here, not in the
 * middle of a handshake), the node and fabric ids and the root key are read from it, the private key must match the
 * NOC, and the operational IPK is derived from the epoch key with the compressed fabric id (spec §4.17.2).
 */
export function createCaseFabric(credentials: CaseFabricCredentials): CaseFabric {
  const { rcac, icac, noc, operationalPrivateKey } = credentials;
  const chain = validateOperationalChain({ rcac, noc, ...(icac ? { icac } : {}) });
  if (!(operationalPrivateKey instanceof Uint8Array) || operationalPrivateKey.length !== 32) {
    throw new TypeError('operationalPrivateKey: expected a Uint8Array of 32 bytes');
  }
  const derived = p256PublicKey(operationalPrivateKey);
  if (!derived.every((b, i) => b === chain.publicKey[i])) {
    throw new RangeError('operationalPrivateKey: it is not the key of the NOC\'s public key');
  }
  if ((credentials.ipkEpochKey === undefined) === (credentials.operationalIpk === undefined)) {
    throw new TypeError('credentials: give exactly one of ipkEpochKey and operationalIpk');
  }
  const cfid = compressedFabricId(chain.rootPublicKey, chain.fabricId);
  const ipk = credentials.operationalIpk ?? operationalIpk(credentials.ipkEpochKey!, cfid);
  return checkCaseFabric({
    fabricIndex: credentials.fabricIndex, fabricId: chain.fabricId, nodeId: chain.nodeId, rootPublicKey: chain.rootPublicKey,
    operationalIpk: ipk, otherOperationalIpks: (credentials.otherIpkEpochKeys ?? []).map((key) => operationalIpk(key, cfid)),
    rcac, icac, noc, operationalPrivateKey,
  });
}

/** The SessionManager's record of the same fabric (what `fabrics.initial` or addFabric() take). */
export function sessionFabricOf(fabric: CaseFabric): Fabric {
  return {
    fabricIndex: fabric.fabricIndex, fabricId: fabric.fabricId, nodeId: fabric.nodeId,
    compressedFabricId: compressedFabricId(fabric.rootPublicKey, fabric.fabricId), ipk: fabric.operationalIpk,
  };
}
