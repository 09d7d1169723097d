// Fabrics for CASE tests: a root key, NOCs for nodes, and the chain verifier CASE is given. The "certificates"
// here are a test double (a small signed TLV structure, not the Matter certificate format): CASE only sees them
// through OperationalChainVerifier, which is what these tests exercise.
import * as lib from '../../src/index.js';
import { compressedFabricId, operationalIpk } from '../../src/credentials/index.js';

const fields = (noc: Uint8Array) => lib.decodeTlvStruct(noc);

function tbs(nodeId: bigint, fabricId: bigint, publicKey: Uint8Array, cats: number[]): Uint8Array {
  return lib.encodeTlv(lib.tlv.struct([
    lib.tlv.uint(nodeId, 1), lib.tlv.uint(fabricId, 2), lib.tlv.bytes(publicKey, 3), lib.tlv.array(cats.map((c) => lib.tlv.uint(c)), 4),
  ]));
}

export interface TestFabric {
  fabricId: bigint;
  root: lib.P256KeyPair;
  rcac: Uint8Array;
  ipk: Uint8Array;
  compressedFabricId: Uint8Array;
  /** A NOC for `nodeId` with a fresh key (or `publicKey`), signed by the root (or by `signer`). */
  issue(nodeId: bigint, options?: { cats?: number[]; fabricId?: bigint; signer?: Uint8Array; publicKey?: Uint8Array }):
    { noc: Uint8Array; privateKey: Uint8Array };
  /** The CaseFabric of a node on this fabric, at a local fabric index. */
  node(nodeId: bigint, fabricIndex?: number, options?: { cats?: number[] }): lib.CaseFabric;
  /** The SessionManager's view of the fabric for `nodeId`. */
  sessionFabric(nodeId: bigint, fabricIndex?: number): lib.Fabric;
}

export function testFabric(fabricId: bigint, epochKey = new Uint8Array(16).fill(0x42)): TestFabric {
  const root = lib.generateP256KeyPair();
  const rcac = lib.encodeTlv(lib.tlv.struct([lib.tlv.bytes(root.publicKey, 3)]));
  const cfid = compressedFabricId(root.publicKey, fabricId);
  const ipk = operationalIpk(epochKey, cfid);
  const fabric: TestFabric = {
    fabricId, root, rcac, ipk, compressedFabricId: cfid,
    issue(nodeId, options = {}) {
      const key = lib.generateP256KeyPair();
      const publicKey = options.publicKey ?? key.publicKey;
      const body = tbs(nodeId, options.fabricId ?? fabricId, publicKey, options.cats ?? []);
      const signature = lib.ecdsaSignSha256(options.signer ?? root.privateKey, body);
      const noc = lib.encodeTlv(lib.tlv.struct([...(lib.decodeTlv(body) as lib.TlvStructure).elements, lib.tlv.bytes(signature, 9)]));
      return { noc, privateKey: key.privateKey };
    },
    node(nodeId, fabricIndex = 1, options = {}) {
      const { noc, privateKey } = fabric.issue(nodeId, options);
      return {
        fabricIndex, fabricId, nodeId, rootPublicKey: root.publicKey, operationalIpk: ipk, rcac, noc,
        operationalPrivateKey: privateKey,
      };
    },
    sessionFabric(nodeId, fabricIndex = 1) {
      return { fabricIndex, fabricId, nodeId, compressedFabricId: cfid, ipk };
    },
  };
  return fabric;
}

/** Checks a test NOC against the root named by `rcac`, as a certificate validator would. */
export const verifyTestChain: lib.OperationalChainVerifier = ({ rcac, noc }) => {
  const rootPublicKey = lib.decodeTlvStruct(rcac).bytes(3);
  const f = fields(noc);
  const nodeId = f.bigUint(1), fabricId = f.bigUint(2), publicKey = f.bytes(3);
  const cats = f.array(4).map((e) => Number((e as lib.TlvUnsignedInt).value));
  if (!lib.ecdsaVerifySha256(rootPublicKey, tbs(nodeId, fabricId, publicKey, cats), f.bytes(9))) {
    throw new Error('NOC signature does not verify with the root key');
  }
  return { nodeId, fabricId, caseAuthenticatedTags: cats, publicKey, rootPublicKey };
};
