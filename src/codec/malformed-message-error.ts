/** A datagram that is not a well-formed Matter message. `field` names what was wrong; nothing was changed. */
export class MalformedMessageError extends Error {
  override name = 'MalformedMessageError';
  constructor(readonly field: string, detail: string, readonly offset?: number) {
    super(`malformed message: ${field}: ${detail}${offset === undefined ? '' : ` (at byte ${offset})`}`);
  }
}
