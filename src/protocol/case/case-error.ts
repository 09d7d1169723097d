// Why a CASE handshake (Matter Core spec §4.14.2 "Certificate Authenticated Session Establishment") did not
// produce a session, and which field of a Sigma message was malformed.

export type CaseFailure =
  | 'no-shared-trust-roots' // the responder matched no fabric to our destination id (StatusReport NoSharedTrustRoots)
  | 'invalid-param'         // the peer answered InvalidParam (it rejected our message, certificate or signature)
  | 'busy'                  // the responder runs as many handshakes as it allows; `minimumWaitMs` says when to retry
  | 'timeout'               // the peer stopped answering
  | 'bad-signature'         // the peer's TBSData signature does not verify with its NOC key
  | 'bad-mic'               // an encrypted part or a resumption MIC did not authenticate (wrong IPK or tampering)
  | 'wrong-peer'            // the peer's NOC names another node id than the one we meant to reach
  | 'untrusted-chain'       // the peer's NOC/ICAC does not chain to our root, or names another fabric
  | 'protocol'              // an unexpected or malformed message
  | 'refused'               // the peer answered another failure StatusReport
  | 'disconnected';         // the channel closed during the handshake

export class CaseError extends Error {
  override name = 'CaseError';
  /** For `busy`: the minimum time the responder asks us to wait before retrying (ms), when it said so. */
  readonly minimumWaitMs: number | undefined;

  constructor(readonly failure: CaseFailure, message: string, options?: { cause?: unknown; minimumWaitMs?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.minimumWaitMs = options?.minimumWaitMs;
  }
}

/** A Sigma message or TBE/TBS structure that breaks its schema; `field` names it as "Sigma1.initiatorRandom". */
export class CaseMessageError extends Error {
  override name = 'CaseMessageError';
  constructor(readonly field: string, problem: string, options?: { cause?: unknown }) {
    super(`${field}: ${problem}`, options);
  }
}
