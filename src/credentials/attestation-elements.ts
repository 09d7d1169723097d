// The TLV payloads a device signs during commissioning (Matter Core spec, Node Operational Credentials cluster:
// AttestationElements and NOCSRElements): each is signed with the DAC key over `elements ‖ attestationChallenge`, the
// challenge coming from the PASE session keys, so a response cannot be replayed onto another session.
import { decodeTlvStruct, type TlvFields } from '../codec/index.js';
import { bytes } from '../core/arguments.js';

/** Both element structures are at most 900 bytes (AttestationResponse and CSRResponse field constraints). */
export const MAX_ELEMENTS_LENGTH = 900;

export interface AttestationElements {
  /** The Certification Declaration (CMS SignedData, DER). */
  certificationDeclaration: Uint8Array;
  attestationNonce: Uint8Array;
  /** Device time in Matter epoch seconds, 0 when the device does not know it. */
  timestamp: number;
  firmwareInformation?: Uint8Array;
}

export interface NocsrElements {
  /** The PKCS#10 request (DER). */
  csr: Uint8Array;
  csrNonce: Uint8Array;
}

function structure(name: string, value: Uint8Array): TlvFields {
  bytes(name, value);
  if (value.length > MAX_ELEMENTS_LENGTH) {
    throw new RangeError(`${name}: ${value.length} bytes; at most ${MAX_ELEMENTS_LENGTH}`);
  }
  return decodeTlvStruct(value);
}

function nonce(fields: TlvFields, tag: number, name: string): Uint8Array {
  const value = fields.bytes(tag);
  if (value.length !== 32) throw new RangeError(`${name}: expected 32 bytes, got ${value.length}`);
  return value;
}

/** Throws MalformedTlvError, TlvFieldError or RangeError naming the field. */
export function decodeAttestationElements(tlv: Uint8Array): AttestationElements {
  const fields = structure('attestationElements', tlv);
  const elements: AttestationElements = {
    certificationDeclaration: fields.bytes(1),
    attestationNonce: nonce(fields, 2, 'attestationNonce'),
    timestamp: fields.uint(3),
  };
  const firmware = fields.optionalBytes(4);
  if (firmware) elements.firmwareInformation = firmware;
  return elements;
}

export function decodeNocsrElements(tlv: Uint8Array): NocsrElements {
  const fields = structure('nocsrElements', tlv);
  return { csr: fields.bytes(1), csrNonce: nonce(fields, 2, 'csrNonce') };
}
