// The CASE messages (Matter Core spec §4.14.2.3-§4.14.2.5, "Sigma1", "Sigma2", "Sigma3", "Sigma2_Resume") and the
// structures inside them (TBEData2/3, TBSData2/3), each an anonymous TLV structure with context tags:
//   Sigma1 {1 initiatorRandom(32), 2 initiatorSessionId, 3 destinationId(32), 4 initiatorEphPubKey(65),
//           5 params?, 6 resumptionId(16)?, 7 initiatorResumeMIC(16)?}   (6 and 7 together or not at all)
//   Sigma2 {1 responderRandom(32), 2 responderSessionId, 3 responderEphPubKey(65), 4 encrypted2, 5 params?}
//   Sigma3 {1 encrypted3}
//   Sigma2_Resume {1 resumptionId(16), 2 sigma2ResumeMIC(16), 3 responderSessionId, 4 params?}
//   TBEData2 {1 NOC, 2 ICAC?, 3 signature(64), 4 resumptionId(16)}; TBEData3 {1 NOC, 2 ICAC?, 3 signature(64)}
//   TBSData2/3 {1 sender NOC, 2 sender ICAC?, 3 sender ephemeral key, 4 receiver ephemeral key}
// Parsing follows the SDK's rules (TestCASESession.cpp): exact lengths, 16-bit session ids, only context tags, the
// end-of-container present, unknown trailing context tags ignored (for future fields).
import { decodeTlv, encodeTlv, MalformedTlvError, tlv, TlvFieldError, TlvFields, type TlvElement } from '../../codec/tlv.js';
import { readSessionParameterFields, sessionParametersTlv, type SessionParameters } from '../../session/session-parameters.js';
import { CaseMessageError } from './case-error.js';

export const CASE_RANDOM_LENGTH = 32;
export const CASE_DESTINATION_ID_LENGTH = 32;
export const CASE_EPHEMERAL_KEY_LENGTH = 65;
export const CASE_RESUMPTION_ID_LENGTH = 16;
export const CASE_MIC_LENGTH = 16;
export const CASE_SIGNATURE_LENGTH = 64;
/** The largest Matter TLV certificate (SDK kMaxCHIPCertLength). */
export const MAX_CERTIFICATE_LENGTH = 400;

// The SDK bounds encrypted2/3 by its TLV size estimate of the plaintext (TLV::EstimateStructOverhead: every field
// plus 4 bytes, plus 2 for the structure) with room for future fields, plus the MIC. The signature is counted at
// the DER maximum (72), as the SDK's estimate does.
const FIELD_OVERHEAD = 4, STRUCT_OVERHEAD = 2, SIGNATURE_ESTIMATE = 72, FUTURE_FIELDS = 128;
const estimate = (...sizes: number[]): number => sizes.reduce((sum, size) => sum + size + FIELD_OVERHEAD, STRUCT_OVERHEAD);
export const MAX_ENCRYPTED2_LENGTH = estimate(MAX_CERTIFICATE_LENGTH, MAX_CERTIFICATE_LENGTH, SIGNATURE_ESTIMATE,
  CASE_RESUMPTION_ID_LENGTH, FUTURE_FIELDS) + CASE_MIC_LENGTH;
export const MAX_ENCRYPTED3_LENGTH = estimate(MAX_CERTIFICATE_LENGTH, MAX_CERTIFICATE_LENGTH, SIGNATURE_ESTIMATE,
  FUTURE_FIELDS) + CASE_MIC_LENGTH;

export interface Sigma1 {
  initiatorRandom: Uint8Array;
  initiatorSessionId: number;
  destinationId: Uint8Array;
  initiatorEphPubKey: Uint8Array;
  initiatorSessionParams?: Partial<SessionParameters> | undefined;
  /** Both present when the initiator asks to resume; never one without the other. */
  resumptionId?: Uint8Array | undefined;
  initiatorResumeMic?: Uint8Array | undefined;
}

export interface Sigma2 {
  responderRandom: Uint8Array;
  responderSessionId: number;
  responderEphPubKey: Uint8Array;
  /** TBEData2 encrypted with S2K, followed by the 16-byte MIC. */
  encrypted2: Uint8Array;
  responderSessionParams?: Partial<SessionParameters> | undefined;
}

export interface Sigma3 {
  /** TBEData3 encrypted with S3K, followed by the 16-byte MIC. */
  encrypted3: Uint8Array;
}

export interface Sigma2Resume {
  /** The NEW resumption id both sides store after this resumption. */
  resumptionId: Uint8Array;
  sigma2ResumeMic: Uint8Array;
  responderSessionId: number;
  responderSessionParams?: Partial<SessionParameters> | undefined;
}

/** The sender's credentials and signature (TBEData3), plus a fresh resumption id from the responder (TBEData2). */
export interface TbeData {
  noc: Uint8Array;
  /** As sent: absent, or present (an empty byte string is kept as sent, for the signature check). */
  icac?: Uint8Array | undefined;
  signature: Uint8Array;
}

export interface TbeData2 extends TbeData {
  resumptionId: Uint8Array;
}

export interface TbsData {
  noc: Uint8Array;
  icac?: Uint8Array | undefined;
  senderEphPubKey: Uint8Array;
  receiverEphPubKey: Uint8Array;
}

// ---- reading ---------------------------------------------------------------------------------------------------

/** Field access for one message, turning every schema problem into a CaseMessageError naming the field. */
class MessageFields {
  readonly #fields: TlvFields;

  constructor(readonly message: string, payload: Uint8Array) {
    let root: TlvElement;
    try {
      root = decodeTlv(payload);
    } catch (error) {
      if (!(error instanceof MalformedTlvError)) throw error;
      throw new CaseMessageError(message, `not valid TLV: ${error.message}`, { cause: error });
    }
    if (root.type !== 'struct') throw new CaseMessageError(message, `expected a structure, got a ${root.type}`);
    if (root.tag) throw new CaseMessageError(message, 'expected an anonymous structure, got a tagged one');
    for (const member of root.elements) {
      // Profile tags are how a wrong encoder shows; the SDK refuses them rather than ignoring them.
      if (!member.tag || !('context' in member.tag)) {
        throw new CaseMessageError(message, 'expected only context-tagged fields, got a field with another tag');
      }
    }
    try {
      this.#fields = new TlvFields(root);
    } catch (error) {
      throw this.#wrap(error);
    }
  }

  #wrap(error: unknown, name?: string): unknown {
    if (!(error instanceof TlvFieldError)) return error;
    return new CaseMessageError(name ? `${this.message}.${name}` : this.message, error.message, { cause: error });
  }

  has(tag: number): boolean {
    return this.#fields.has(tag);
  }

  bytes(tag: number, name: string, length: { exact?: number; min?: number; max?: number }): Uint8Array {
    let value: Uint8Array;
    try {
      value = this.#fields.bytes(tag);
    } catch (error) {
      throw this.#wrap(error, name);
    }
    const field = `${this.message}.${name}`;
    if (length.exact !== undefined && value.length !== length.exact) {
      throw new CaseMessageError(field, `expected ${length.exact} bytes, got ${value.length}`);
    }
    if (length.min !== undefined && value.length < length.min) {
      throw new CaseMessageError(field, `expected at least ${length.min} bytes, got ${value.length}`);
    }
    if (length.max !== undefined && value.length > length.max) {
      throw new CaseMessageError(field, `expected at most ${length.max} bytes, got ${value.length}`);
    }
    return value;
  }

  optionalBytes(tag: number, name: string, length: { exact?: number; min?: number; max?: number }): Uint8Array | undefined {
    return this.has(tag) ? this.bytes(tag, name, length) : undefined;
  }

  /** A session id as the SDK reads it: any uint16 (0 is refused where a session is made, not here). */
  sessionId(tag: number, name: string): number {
    try {
      return this.#fields.uint(tag, 16);
    } catch (error) {
      throw this.#wrap(error, name);
    }
  }

  sessionParams(tag: number, name: string): Partial<SessionParameters> | undefined {
    if (!this.has(tag)) return undefined;
    try {
      return readSessionParameterFields(this.#fields.struct(tag));
    } catch (error) {
      throw this.#wrap(error, name);
    }
  }
}

export function decodeSigma1(payload: Uint8Array): Sigma1 {
  const f = new MessageFields('Sigma1', payload);
  const resumptionId = f.optionalBytes(6, 'resumptionId', { exact: CASE_RESUMPTION_ID_LENGTH });
  const initiatorResumeMic = f.optionalBytes(7, 'initiatorResumeMIC', { exact: CASE_MIC_LENGTH });
  if ((resumptionId === undefined) !== (initiatorResumeMic === undefined)) {
    throw new CaseMessageError(resumptionId ? 'Sigma1.initiatorResumeMIC' : 'Sigma1.resumptionId',
      'resumptionId (6) and initiatorResumeMIC (7) must be sent together, got only one of them');
  }
  return {
    initiatorRandom: f.bytes(1, 'initiatorRandom', { exact: CASE_RANDOM_LENGTH }),
    initiatorSessionId: f.sessionId(2, 'initiatorSessionId'),
    destinationId: f.bytes(3, 'destinationId', { exact: CASE_DESTINATION_ID_LENGTH }),
    initiatorEphPubKey: f.bytes(4, 'initiatorEphPubKey', { exact: CASE_EPHEMERAL_KEY_LENGTH }),
    initiatorSessionParams: f.sessionParams(5, 'initiatorSessionParams'),
    resumptionId,
    initiatorResumeMic,
  };
}

export function decodeSigma2(payload: Uint8Array): Sigma2 {
  const f = new MessageFields('Sigma2', payload);
  return {
    responderRandom: f.bytes(1, 'responderRandom', { exact: CASE_RANDOM_LENGTH }),
    responderSessionId: f.sessionId(2, 'responderSessionId'),
    responderEphPubKey: f.bytes(3, 'responderEphPubKey', { exact: CASE_EPHEMERAL_KEY_LENGTH }),
    encrypted2: f.bytes(4, 'encrypted2', { min: CASE_MIC_LENGTH + 1, max: MAX_ENCRYPTED2_LENGTH }),
    responderSessionParams: f.sessionParams(5, 'responderSessionParams'),
  };
}

export function decodeSigma3(payload: Uint8Array): Sigma3 {
  const f = new MessageFields('Sigma3', payload);
  return { encrypted3: f.bytes(1, 'encrypted3', { min: CASE_MIC_LENGTH + 1, max: MAX_ENCRYPTED3_LENGTH }) };
}

export function decodeSigma2Resume(payload: Uint8Array): Sigma2Resume {
  const f = new MessageFields('Sigma2_Resume', payload);
  return {
    resumptionId: f.bytes(1, 'resumptionId', { exact: CASE_RESUMPTION_ID_LENGTH }),
    sigma2ResumeMic: f.bytes(2, 'sigma2ResumeMIC', { exact: CASE_MIC_LENGTH }),
    responderSessionId: f.sessionId(3, 'responderSessionId'),
    responderSessionParams: f.sessionParams(4, 'responderSessionParams'),
  };
}

function decodeTbe(f: MessageFields): TbeData {
  return {
    noc: f.bytes(1, 'noc', { min: 1, max: MAX_CERTIFICATE_LENGTH }),
    icac: f.optionalBytes(2, 'icac', { max: MAX_CERTIFICATE_LENGTH }),
    signature: f.bytes(3, 'signature', { exact: CASE_SIGNATURE_LENGTH }),
  };
}

export function decodeTbeData2(plaintext: Uint8Array): TbeData2 {
  const f = new MessageFields('TBEData2', plaintext);
  return { ...decodeTbe(f), resumptionId: f.bytes(4, 'resumptionId', { exact: CASE_RESUMPTION_ID_LENGTH }) };
}

export function decodeTbeData3(plaintext: Uint8Array): TbeData {
  return decodeTbe(new MessageFields('TBEData3', plaintext));
}

// ---- writing ---------------------------------------------------------------------------------------------------

function checkLength(field: string, value: unknown, length: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${field}: expected a Uint8Array`);
  if (value.length !== length) throw new RangeError(`${field}: expected ${length} bytes, got ${value.length}`);
  return value;
}

function checkSessionId(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new RangeError(`${field}: expected an integer from 0 to 65535, got ${String(value)}`);
  }
  return value;
}

function checkCertificate(field: string, value: unknown, allowEmpty = false): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${field}: expected a Uint8Array`);
  if ((!allowEmpty && value.length === 0) || value.length > MAX_CERTIFICATE_LENGTH) {
    throw new RangeError(`${field}: expected ${allowEmpty ? 0 : 1} to ${MAX_CERTIFICATE_LENGTH} bytes, got ${value.length}`);
  }
  return value;
}

export function encodeSigma1(m: Sigma1): Uint8Array {
  if ((m.resumptionId === undefined) !== (m.initiatorResumeMic === undefined)) {
    throw new TypeError('sigma1: resumptionId and initiatorResumeMic go together');
  }
  return encodeTlv(tlv.struct([
    tlv.bytes(checkLength('sigma1.initiatorRandom', m.initiatorRandom, CASE_RANDOM_LENGTH), 1),
    tlv.uint(checkSessionId('sigma1.initiatorSessionId', m.initiatorSessionId), 2),
    tlv.bytes(checkLength('sigma1.destinationId', m.destinationId, CASE_DESTINATION_ID_LENGTH), 3),
    tlv.bytes(checkLength('sigma1.initiatorEphPubKey', m.initiatorEphPubKey, CASE_EPHEMERAL_KEY_LENGTH), 4),
    m.initiatorSessionParams ? sessionParametersTlv(m.initiatorSessionParams, 5) : undefined,
    m.resumptionId ? tlv.bytes(checkLength('sigma1.resumptionId', m.resumptionId, CASE_RESUMPTION_ID_LENGTH), 6) : undefined,
    m.initiatorResumeMic ? tlv.bytes(checkLength('sigma1.initiatorResumeMic', m.initiatorResumeMic, CASE_MIC_LENGTH), 7) : undefined,
  ]));
}

export function encodeSigma2(m: Sigma2): Uint8Array {
  const { encrypted2 } = m;
  if (!(encrypted2 instanceof Uint8Array) || encrypted2.length <= CASE_MIC_LENGTH || encrypted2.length > MAX_ENCRYPTED2_LENGTH) {
    throw new RangeError(`sigma2.encrypted2: expected ${CASE_MIC_LENGTH + 1} to ${MAX_ENCRYPTED2_LENGTH} bytes`);
  }
  return encodeTlv(tlv.struct([
    tlv.bytes(checkLength('sigma2.responderRandom', m.responderRandom, CASE_RANDOM_LENGTH), 1),
    tlv.uint(checkSessionId('sigma2.responderSessionId', m.responderSessionId), 2),
    tlv.bytes(checkLength('sigma2.responderEphPubKey', m.responderEphPubKey, CASE_EPHEMERAL_KEY_LENGTH), 3),
    tlv.bytes(encrypted2, 4),
    m.responderSessionParams ? sessionParametersTlv(m.responderSessionParams, 5) : undefined,
  ]));
}

export function encodeSigma3(m: Sigma3): Uint8Array {
  const { encrypted3 } = m;
  if (!(encrypted3 instanceof Uint8Array) || encrypted3.length <= CASE_MIC_LENGTH || encrypted3.length > MAX_ENCRYPTED3_LENGTH) {
    throw new RangeError(`sigma3.encrypted3: expected ${CASE_MIC_LENGTH + 1} to ${MAX_ENCRYPTED3_LENGTH} bytes`);
  }
  return encodeTlv(tlv.struct([tlv.bytes(encrypted3, 1)]));
}

export function encodeSigma2Resume(m: Sigma2Resume): Uint8Array {
  return encodeTlv(tlv.struct([
    tlv.bytes(checkLength('sigma2Resume.resumptionId', m.resumptionId, CASE_RESUMPTION_ID_LENGTH), 1),
    tlv.bytes(checkLength('sigma2Resume.sigma2ResumeMic', m.sigma2ResumeMic, CASE_MIC_LENGTH), 2),
    tlv.uint(checkSessionId('sigma2Resume.responderSessionId', m.responderSessionId), 3),
    m.responderSessionParams ? sessionParametersTlv(m.responderSessionParams, 4) : undefined,
  ]));
}

function tbeMembers(what: string, m: TbeData): Array<TlvElement | undefined> {
  return [
    tlv.bytes(checkCertificate(`${what}.noc`, m.noc), 1),
    m.icac === undefined ? undefined : tlv.bytes(checkCertificate(`${what}.icac`, m.icac, true), 2),
    tlv.bytes(checkLength(`${what}.signature`, m.signature, CASE_SIGNATURE_LENGTH), 3),
  ];
}

export function encodeTbeData2(m: TbeData2): Uint8Array {
  return encodeTlv(tlv.struct([...tbeMembers('tbeData2', m),
    tlv.bytes(checkLength('tbeData2.resumptionId', m.resumptionId, CASE_RESUMPTION_ID_LENGTH), 4)]));
}

export function encodeTbeData3(m: TbeData): Uint8Array {
  return encodeTlv(tlv.struct(tbeMembers('tbeData3', m)));
}

/**
 * The bytes the sender signs. The ICAC is included exactly as the sender chose (absent, or present even when
 * empty, as matter.js sends it): the signature only verifies over the same encoding.
 */
export function encodeTbsData(m: TbsData): Uint8Array {
  return encodeTlv(tlv.struct([
    tlv.bytes(checkCertificate('tbsData.noc', m.noc), 1),
    m.icac === undefined ? undefined : tlv.bytes(checkCertificate('tbsData.icac', m.icac, true), 2),
    tlv.bytes(checkLength('tbsData.senderEphPubKey', m.senderEphPubKey, CASE_EPHEMERAL_KEY_LENGTH), 3),
    tlv.bytes(checkLength('tbsData.receiverEphPubKey', m.receiverEphPubKey, CASE_EPHEMERAL_KEY_LENGTH), 4),
  ]));
}
