/** The bytes are not valid Matter TLV. `offset` is the byte where the problem was found. */
export class MalformedTlvError extends Error {
  override name = 'MalformedTlvError';
  constructor(readonly problem: string, readonly offset: number) {
    super(`malformed TLV at byte ${offset}: ${problem}`);
  }
}

/** Valid TLV, but a structure's field is missing or is not what the message's schema says it must be. */
export class TlvFieldError extends Error {
  override name = 'TlvFieldError';
  /** `field` is the path of context tags from the outermost structure, e.g. "5.1". */
  constructor(readonly field: string, problem: string) {
    super(`TLV field ${field}: ${problem}`);
  }
}
