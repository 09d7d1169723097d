// Typed errors of BTP. A session that meets any of them is closed with it; its onClose listeners receive it.

/** The peer broke the protocol: a malformed packet, bad flags, a wrong sequence or ack number, an oversize message. */
export class BtpProtocolError extends Error {
  override name = 'BtpProtocolError';
}

/** Which BTP timer expired. */
export type BtpTimer = 'handshake' | 'ack' | 'idle';

/** A BTP timer expired: no handshake in time, our packets unacknowledged too long, or the link idle too long. */
export class BtpTimeoutError extends Error {
  override name = 'BtpTimeoutError';
  constructor(readonly timer: BtpTimer, readonly afterMs: number) {
    super(`BTP ${timer} timeout after ${afterMs} ms`);
  }
}

/** The session was closed (by its owner, or because of the error in `cause`) before the message went out. */
export class BtpClosedError extends Error {
  override name = 'BtpClosedError';
  constructor(cause?: unknown) {
    super('BTP session closed', cause === undefined ? undefined : { cause });
  }
}
