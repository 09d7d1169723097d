// Typed errors of the session layer. Each names what was wrong; none of them leaves state changed.
import type { MessageHeader, PayloadHeader } from '../codec/index.js';
export { MalformedMessageError } from '../codec/index.js';

/** No session (or group key) matches the message's session id. */
export class UnknownSessionError extends Error {
  override name = 'UnknownSessionError';
  constructor(readonly sessionId: number, detail = '') {
    super(`no session with id ${sessionId}${detail ? `: ${detail}` : ''}`);
  }
}

/** The message failed AES-CCM authentication: altered, or not for this session's keys. Nothing was committed. */
export class AuthenticationFailedError extends Error {
  override name = 'AuthenticationFailedError';
  constructor(readonly sessionId: number) {
    super(`message for session ${sessionId} failed authentication`);
  }
}

/**
 * An authentic message whose counter was already seen (a replay or a retransmission). It was not delivered.
 * If `payloadHeader.needsAck` is set the sender is still waiting for an acknowledgement, so send one.
 */
export class DuplicateMessageError extends Error {
  override name = 'DuplicateMessageError';
  constructor(readonly sessionId: number, readonly header: MessageHeader, readonly payloadHeader: PayloadHeader | undefined) {
    super(`duplicate message counter ${header.messageCounter} on session ${sessionId}`);
  }

  get needsAck(): boolean {
    return this.payloadHeader?.needsAck ?? false;
  }
}

/** A session was requested on a fabric that does not exist (and dynamic creation is off). */
export class UnknownFabricError extends Error {
  override name = 'UnknownFabricError';
  constructor(readonly fabricIndex: number) {
    super(`fabric ${fabricIndex} does not exist; add it with addFabric() or enable dynamic fabric creation`);
  }
}

/** The operation needs an open session, and this one is closed. */
export class SessionClosedError extends Error {
  override name = 'SessionClosedError';
  constructor(readonly sessionId: number) {
    super(`session ${sessionId} is closed`);
  }
}

/** A limit of the session table refuses the request (e.g. a second PASE session). */
export class SessionLimitError extends Error {
  override name = 'SessionLimitError';
}

/** A caller's buffer cannot hold the result; nothing was written and no message counter was used. */
export class BufferTooSmallError extends RangeError {
  override name = 'BufferTooSmallError';
  constructor(readonly argument: string, readonly needed: number, readonly actual: number) {
    super(`${argument}: expected at least ${needed} bytes, got ${actual}`);
  }
}
