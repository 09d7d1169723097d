/** Why a PASE handshake did not produce a session. */
export type PaseFailure =
  | 'wrong-passcode'     // the SPAKE2+ confirmation did not match
  | 'busy'               // the device has another handshake or PASE session, or its window is closed
  | 'timeout'            // the peer stopped answering
  | 'protocol'           // an unexpected or malformed message
  | 'refused'            // the peer answered with a failure StatusReport
  | 'disconnected';      // the channel closed during the handshake

export class PaseError extends Error {
  override name = 'PaseError';
  /** For `busy`: the minimum wait the device asked for before a retry (its busy StatusReport's data), in seconds. */
  readonly retryAfterSeconds: number | undefined;
  constructor(readonly failure: PaseFailure, message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}
