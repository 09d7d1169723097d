// The default check of a peer's operational chain (Matter Core spec §6.5.x "Certificate path validation"), done
// by the credentials module; CASE holds no certificate code and sees chains only through OperationalChainVerifier.
import { validateOperationalChain } from '../../credentials/operational-chain.js';
import { CaseError } from './case-error.js';
import type { CaseFabric, OperationalChainVerifier, VerifiedOperationalChain } from './case-fabric.js';

/**
 * RCAC -> [ICAC] -> NOC validation with validity periods checked at `now()` (default the system clock), as the SDK
 * checks them against its last known good time.
 */
export function defaultChainVerifier(now: () => number = Date.now): OperationalChainVerifier {
  return ({ rcac, icac, noc }) => validateOperationalChain({ rcac, noc, now: now(), ...(icac ? { icac } : {}) });
}

/**
 * The peer's chain against our root (spec §4.14.2.3.2 step 3 / §4.14.2.4.2): valid, on our fabric id. The root
 * the chain ends in is ours by construction: the verifier is handed our RCAC.
 */
export function verifyPeer(verifyChain: OperationalChainVerifier, fabric: CaseFabric,
  tbe: { noc: Uint8Array; icac?: Uint8Array | undefined }, where: string): VerifiedOperationalChain {
  let verified: VerifiedOperationalChain;
  try {
    verified = verifyChain({ rcac: fabric.rcac, icac: tbe.icac?.length ? tbe.icac : undefined, noc: tbe.noc });
  } catch (error) {
    throw new CaseError('untrusted-chain', `${where}: the peer's certificates do not chain to our root: ${(error as Error).message}`, { cause: error });
  }
  if (verified.fabricId !== fabric.fabricId) {
    throw new CaseError('untrusted-chain', `${where}: the peer's NOC is for fabric 0x${verified.fabricId.toString(16)}, not 0x${fabric.fabricId.toString(16)}`);
  }
  if (verified.rootPublicKey.length !== fabric.rootPublicKey.length || !verified.rootPublicKey.every((b, i) => b === fabric.rootPublicKey[i])) {
    throw new CaseError('untrusted-chain', `${where}: the peer's chain ends in another root`);
  }
  return verified;
}
