// A session-establishment handshake parked between two of its messages (Matter Core spec §4.14.2 CASE): on a fleet
// behind round-robin HTTP the initiator's next message (Sigma3) may reach another instance than the one that sent
// the reply (Sigma2), so the responder's state between them is stored, not held in memory, and whoever receives the
// next message takes it. Taking is atomic (a state is used once: a Sigma3 replayed to a second instance finds
// nothing). The store seals and expires what is parked (src/edge/edge-fleet.ts); this file only names the contract
// and packs the state's fields into bytes that can be wiped (a string holding a secret cannot be).

/** Where a responder parks handshake state between messages (an edge fleet's shared store). */
export interface ParkedHandshakes {
  /** How long a parked state waits to be taken (the handshake step timeout), in ms. */
  readonly ttlMs: number;
  /**
   * Stores `state` under `key` until it is taken or its step timeout passes; `sessionId`, reserved for the session
   * the handshake makes, goes with it (whoever takes the state holds the id's claim). Rejects (and keeps nothing)
   * when the store is unreachable or this instance parked its limit of handshakes within one step timeout.
   */
  park(key: string, state: Uint8Array, sessionId: number): Promise<void>;
  /**
   * The state parked under `key`, removed in the same step; undefined if none (taken, expired, never parked).
   * `adopt` reserves the state's session id in the taker's session manager; it runs before the taker holds the id's
   * claim, so when it throws (the id is in use here) the claim is let go, not held (and renewed) for nothing.
   */
  take(key: string, adopt: (sessionId: number) => void): Promise<{ state: Uint8Array; sessionId: number } | undefined>;
  /** Whether a state is parked under `key` now (nobody took it yet). */
  has(key: string): Promise<boolean>;
}

/**
 * A parked handshake is named by the initiator's ephemeral node id (its unsecured session) and the exchange id, and,
 * when it parks more than once (PASE: after PBKDFParamResponse and after Pake2), by the stage it waits in: a message
 * can only take the state of the stage it answers (a Pake1 replayed after Pake2 finds nothing to take).
 */
export function parkedHandshakeKey(protocol: 'case' | 'pase', initiatorNodeId: bigint, exchangeId: number, stage?: string): string {
  const base = `${protocol}/${initiatorNodeId.toString(16).padStart(16, '0')}/${exchangeId}`;
  return stage === undefined ? base : `${base}/${stage}`;
}

/** Thrown by park() when the instance's budget of parked handshakes is spent: the initiator is told Busy. */
export class ParkingFullError extends Error {
  override name = 'ParkingFullError';
}

/** Fields as [u16 length | bytes]...: the caller wipes the result (and the fields it copied out) when done. */
export function packFields(fields: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(fields.reduce((n, f) => n + 2 + f.length, 0));
  let at = 0;
  for (const field of fields) {
    if (field.length > 0xffff) throw new RangeError(`packFields: a field of ${field.length} bytes (at most 65535)`);
    out[at] = field.length >> 8;
    out[at + 1] = field.length & 0xff;
    out.set(field, at + 2);
    at += 2 + field.length;
  }
  return out;
}

/** The fields packFields wrote, as views into `bytes`; a state that does not unpack into `count` is refused. */
export function unpackFields(bytes: Uint8Array, count: number): Uint8Array[] {
  const fields: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) break;
    const length = (bytes[at]! << 8) | bytes[at + 1]!;
    if (at + 2 + length > bytes.length) break;
    fields.push(bytes.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  if (at !== bytes.length || fields.length !== count) {
    throw new RangeError(`parked handshake state: expected ${count} fields, the bytes do not unpack into them`);
  }
  return fields;
}

export const u32Field = (value: number): Uint8Array => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
};

export const readU32Field = (field: Uint8Array): number => {
  if (field.length !== 4) throw new RangeError('parked handshake state: a number field is not 4 bytes');
  return new DataView(field.buffer, field.byteOffset, 4).getUint32(0);
};
