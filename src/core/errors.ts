/** The message or tag was altered, or the key or nonce is wrong: CCM authentication failed. */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
  constructor(message = 'AES-CCM authentication failed: the tag does not match') {
    super(message);
  }
}

/** All 65535 session ids are live; one must be released before another can be allocated. */
export class SessionIdsExhaustedError extends Error {
  override name = 'SessionIdsExhaustedError';
  constructor() {
    super('no session id free: all 65535 ids are in use');
  }
}

/** The core was used before `await ready()` finished. */
export class CoreNotReadyError extends Error {
  override name = 'CoreNotReadyError';
  constructor() {
    super('matter-sessions core is not ready: call `await ready()` first');
  }
}
