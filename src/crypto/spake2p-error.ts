/**
 * Why a SPAKE2+ handshake failed. Both come from the peer's messages, so the PASE state machine answers either with
 * a StatusReport (Failure, InvalidParameter) and abandons the handshake:
 * - `invalid-point`: a share (X or Y) is not a 65-byte uncompressed P-256 point, or it unmasks to the identity;
 * - `confirmation-mismatch`: the peer's confirmation (cA or cB) is wrong: a different passcode, or an attacker.
 */
export type Spake2pFailure = 'invalid-point' | 'confirmation-mismatch';

export class Spake2pError extends Error {
  override name = 'Spake2pError';
  constructor(readonly reason: Spake2pFailure, message: string) {
    super(message);
  }
}
