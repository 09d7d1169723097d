// Fabrics for CASE tests and benchmarks: a FabricAuthority (RCAC, optionally an ICAC) issuing real Matter
// operational certificates, the CaseFabric of a node on it, and the SessionManager's view of the same fabric.
import * as lib from '../../src/index.js';

export interface TestFabric {
  fabricId: bigint;
  authority: lib.FabricAuthority;
  ipk: Uint8Array;
  epochKey: Uint8Array;
  /** A NOC for `nodeId` with a fresh key pair, issued by this fabric's authority (or by `authority`). */
  issue(nodeId: bigint, options?: { cats?: number[]; fabricId?: bigint; authority?: lib.FabricAuthority; now?: number }):
    { noc: Uint8Array; privateKey: Uint8Array };
  /** The CaseFabric of a node on this fabric, at a local fabric index. */
  node(nodeId: bigint, fabricIndex?: number, options?: { cats?: number[] }): lib.CaseFabric;
  /** The SessionManager's view of the fabric for `nodeId`. */
  sessionFabric(nodeId: bigint, fabricIndex?: number): lib.Fabric;
}

export function testFabric(fabricId: bigint, options: { intermediate?: boolean; epochKey?: Uint8Array } = {}): TestFabric {
  // Not bound to the fabric id, so tests can also issue NOCs that name another fabric under the same root.
  const authority = lib.FabricAuthority.create({ intermediate: options.intermediate ?? false });
  const epochKey = options.epochKey ?? new Uint8Array(16).fill(0x42);
  const ipk = lib.operationalIpk(epochKey, lib.compressedFabricId(authority.rootPublicKey, fabricId));
  const fabric: TestFabric = {
    fabricId, authority, ipk, epochKey,
    issue(nodeId, o = {}) {
      const key = lib.generateP256KeyPair();
      const noc = (o.authority ?? authority).issueNoc({
        publicKey: key.publicKey, nodeId, fabricId: o.fabricId ?? fabricId, caseAuthenticatedTags: o.cats ?? [],
        ...(o.now === undefined ? {} : { now: o.now }),
      });
      return { noc, privateKey: key.privateKey };
    },
    node(nodeId, fabricIndex = 1, o = {}) {
      const { noc, privateKey } = fabric.issue(nodeId, o);
      return lib.createCaseFabric({
        fabricIndex, rcac: authority.rcac, icac: authority.icac, noc, operationalPrivateKey: privateKey, ipkEpochKey: epochKey,
      });
    },
    sessionFabric(nodeId, fabricIndex = 1) {
      return { fabricIndex, fabricId, nodeId, compressedFabricId: lib.compressedFabricId(authority.rootPublicKey, fabricId), ipk };
    },
  };
  return fabric;
}
