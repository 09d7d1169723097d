// TimedRequest (spec "Timed Interaction", opcode 0x0A): {0 Timeout uint16 ms}. The client sends it first on the
// exchange; the server answers StatusResponse(Success) and accepts the Write or Invoke that follows (with its
// TimedRequest flag set) only within that many milliseconds.
import { TlvFields, decodeTlv, encodeTlv, tlv } from '../codec/tlv.js';
import { checkUint } from './command-path.js';
import { INTERACTION_MODEL_REVISION, INTERACTION_MODEL_REVISION_TAG } from './opcodes.js';

const TIMEOUT_TAG = 0;

export function encodeTimedRequest(timeoutMs: number): Uint8Array {
  checkUint(timeoutMs, 0xffff, 'timeoutMs');
  return encodeTlv(tlv.struct([tlv.uint(timeoutMs, TIMEOUT_TAG),
    tlv.uint(INTERACTION_MODEL_REVISION, INTERACTION_MODEL_REVISION_TAG)]));
}

/** The timeout in milliseconds; errors as the other decoders'. */
export function decodeTimedRequest(bytes: Uint8Array): number {
  return new TlvFields(decodeTlv(bytes), 'TimedRequest').uint(TIMEOUT_TAG, 16);
}
