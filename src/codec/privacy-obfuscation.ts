// Message privacy (spec "Privacy Processing of Outgoing/Incoming Messages"): after encryption, the header from
// the message counter to the end of the extensions is XORed with AES-CTR under the privacy key. The nonce is the
// session id (big-endian) followed by MIC bytes 5..15; the keystream blocks are CCM's counter blocks from 1.
import type { AesCcmKey } from '../core/index.js';
import { PRIVACY_OFFSET } from './message-header.js';
import { MalformedMessageError } from './malformed-message-error.js';

export const MIC_LENGTH = 16;

export function privacyNonce(sessionId: number, mic: Uint8Array): Uint8Array {
  const nonce = new Uint8Array(13);
  nonce[0] = sessionId >>> 8;
  nonce[1] = sessionId & 0xff;
  nonce.set(mic.subarray(5, 16), 2);
  return nonce;
}

function nonceOf(message: Uint8Array): Uint8Array {
  if (message.length < PRIVACY_OFFSET + MIC_LENGTH) {
    throw new MalformedMessageError('message', `too short for privacy processing (${message.length} bytes)`);
  }
  const sessionId = message[1]! | (message[2]! << 8);
  return privacyNonce(sessionId, message.subarray(message.length - MIC_LENGTH));
}

/** Obfuscates an encrypted message's header in place (bytes 4 .. headerLength). */
export function obfuscateHeader(message: Uint8Array, headerLength: number, privacyKey: AesCcmKey): void {
  const span = message.subarray(PRIVACY_OFFSET, headerLength);
  privacyKey.ctrXorInto(span, nonceOf(message), span, 1);
}

/**
 * A copy of the message with everything between the clear prefix and the MIC de-obfuscated. Only the header part
 * of it is meaningful (the extension length is itself obfuscated, so the header's end is known only afterwards);
 * the ciphertext must be taken from the original message.
 */
export function deobfuscatedCopy(message: Uint8Array, privacyKey: AesCcmKey): Uint8Array {
  const nonce = nonceOf(message);
  const copy = message.slice();
  const span = copy.subarray(PRIVACY_OFFSET, copy.length - MIC_LENGTH);
  privacyKey.ctrXorInto(span, nonce, span, 1);
  return copy;
}
