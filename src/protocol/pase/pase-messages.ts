// The PASE messages (spec "Passcode-Authenticated Session Establishment"), each an anonymous TLV structure:
// PBKDFParamRequest {1 initiatorRandom, 2 initiatorSessionId, 3 passcodeId, 4 hasPBKDFParameters, 5 params?},
// PBKDFParamResponse {1 initiatorRandom, 2 responderRandom, 3 responderSessionId, 4 {1 iterations, 2 salt}?,
// 5 params?}, Pake1 {1 pA}, Pake2 {1 pB, 2 cB}, Pake3 {1 cA}.
import { decodeTlvStruct, encodeTlv, tlv, type TlvFields } from '../../codec/tlv.js';
import { readSessionParameterFields, sessionParametersTlv, type SessionParameters } from '../../session/session-parameters.js';

export interface PbkdfParamRequest {
  initiatorRandom: Uint8Array;
  initiatorSessionId: number;
  passcodeId: number;
  /** True when the commissioner already knows the PBKDF parameters (the response then omits them). */
  hasPbkdfParameters: boolean;
  /** As sent: absent fields take the defaults where the session is made. */
  initiatorSessionParams?: Partial<SessionParameters> | undefined;
}

export interface PbkdfParameters {
  iterations: number;
  salt: Uint8Array;
}

export interface PbkdfParamResponse {
  initiatorRandom: Uint8Array;
  responderRandom: Uint8Array;
  responderSessionId: number;
  pbkdfParameters?: PbkdfParameters | undefined;
  responderSessionParams?: Partial<SessionParameters> | undefined;
}

export class PaseMessageError extends Error {
  override name = 'PaseMessageError';
}

const RANDOM_LENGTH = 32;
const POINT_LENGTH = 65;
const CONFIRMATION_LENGTH = 32;

function exactBytes(fields: TlvFields, tag: number, length: number, name: string): Uint8Array {
  const value = fields.bytes(tag);
  if (value.length !== length) throw new PaseMessageError(`${name}: expected ${length} bytes, got ${value.length}`);
  return value;
}

function sessionId(fields: TlvFields, tag: number, name: string): number {
  const id = fields.uint(tag, 16);
  if (id === 0) throw new PaseMessageError(`${name}: 0 is not a session id`);
  return id;
}

function optionalParams(fields: TlvFields, tag: number): Partial<SessionParameters> | undefined {
  return fields.has(tag) ? readSessionParameterFields(fields.struct(tag)) : undefined;
}

export function encodePbkdfParamRequest(m: PbkdfParamRequest): Uint8Array {
  return encodeTlv(tlv.struct([
    tlv.bytes(m.initiatorRandom, 1),
    tlv.uint(m.initiatorSessionId, 2),
    tlv.uint(m.passcodeId, 3),
    tlv.bool(m.hasPbkdfParameters, 4),
    m.initiatorSessionParams ? sessionParametersTlv(m.initiatorSessionParams, 5) : undefined,
  ]));
}

export function decodePbkdfParamRequest(payload: Uint8Array): PbkdfParamRequest {
  const f = decodeTlvStruct(payload);
  return {
    initiatorRandom: exactBytes(f, 1, RANDOM_LENGTH, 'initiatorRandom'),
    initiatorSessionId: sessionId(f, 2, 'initiatorSessionId'),
    passcodeId: f.uint(3, 16),
    hasPbkdfParameters: f.bool(4),
    initiatorSessionParams: optionalParams(f, 5),
  };
}

export function encodePbkdfParamResponse(m: PbkdfParamResponse): Uint8Array {
  return encodeTlv(tlv.struct([
    tlv.bytes(m.initiatorRandom, 1),
    tlv.bytes(m.responderRandom, 2),
    tlv.uint(m.responderSessionId, 3),
    m.pbkdfParameters ? tlv.struct([tlv.uint(m.pbkdfParameters.iterations, 1), tlv.bytes(m.pbkdfParameters.salt, 2)], 4) : undefined,
    m.responderSessionParams ? sessionParametersTlv(m.responderSessionParams, 5) : undefined,
  ]));
}

export function decodePbkdfParamResponse(payload: Uint8Array): PbkdfParamResponse {
  const f = decodeTlvStruct(payload);
  let pbkdfParameters: PbkdfParameters | undefined;
  if (f.has(4)) {
    const p = f.struct(4);
    pbkdfParameters = { iterations: p.uint(1), salt: p.bytes(2) };
    if (pbkdfParameters.iterations < 1000 || pbkdfParameters.iterations > 100000) {
      throw new PaseMessageError(`pbkdfParameters.iterations: expected 1000 to 100000, got ${pbkdfParameters.iterations}`);
    }
    if (pbkdfParameters.salt.length < 16 || pbkdfParameters.salt.length > 32) {
      throw new PaseMessageError(`pbkdfParameters.salt: expected 16 to 32 bytes, got ${pbkdfParameters.salt.length}`);
    }
  }
  return {
    initiatorRandom: exactBytes(f, 1, RANDOM_LENGTH, 'initiatorRandom'),
    responderRandom: exactBytes(f, 2, RANDOM_LENGTH, 'responderRandom'),
    responderSessionId: sessionId(f, 3, 'responderSessionId'),
    pbkdfParameters,
    responderSessionParams: optionalParams(f, 5),
  };
}

export const encodePake1 = (pA: Uint8Array): Uint8Array => encodeTlv(tlv.struct([tlv.bytes(pA, 1)]));
export const decodePake1 = (payload: Uint8Array): { pA: Uint8Array } =>
  ({ pA: exactBytes(decodeTlvStruct(payload), 1, POINT_LENGTH, 'pA') });

export const encodePake2 = (pB: Uint8Array, cB: Uint8Array): Uint8Array =>
  encodeTlv(tlv.struct([tlv.bytes(pB, 1), tlv.bytes(cB, 2)]));
export function decodePake2(payload: Uint8Array): { pB: Uint8Array; cB: Uint8Array } {
  const f = decodeTlvStruct(payload);
  return { pB: exactBytes(f, 1, POINT_LENGTH, 'pB'), cB: exactBytes(f, 2, CONFIRMATION_LENGTH, 'cB') };
}

export const encodePake3 = (cA: Uint8Array): Uint8Array => encodeTlv(tlv.struct([tlv.bytes(cA, 1)]));
export const decodePake3 = (payload: Uint8Array): { cA: Uint8Array } =>
  ({ cA: exactBytes(decodeTlvStruct(payload), 1, CONFIRMATION_LENGTH, 'cA') });
