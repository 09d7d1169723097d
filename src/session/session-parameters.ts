import { tlv, type TlvElement, type TlvFields, type TlvIntegerBits } from '../codec/tlv.js';

// Session parameters (spec "Session Parameters"): what each side announces in its handshake and the other uses
// to pace reliable messaging and to judge whether the peer is active.

export interface SessionParameters {
  /** SESSION_IDLE_INTERVAL: retransmission base when the peer is idle (ms). */
  idleInterval: number;
  /** SESSION_ACTIVE_INTERVAL: retransmission base when the peer is active (ms). */
  activeInterval: number;
  /** SESSION_ACTIVE_THRESHOLD: a peer heard from within this many ms is active. */
  activeThreshold: number;
  dataModelRevision?: number | undefined;
  interactionModelRevision?: number | undefined;
  specificationVersion?: number | undefined;
  maxPathsPerInvoke?: number | undefined;
  /** Bitmap of supported transports (newer peers). */
  supportedTransports?: number | undefined;
  /** Largest message over TCP (newer peers). */
  maxTcpMessageSize?: number | undefined;
}

export const DEFAULT_SESSION_PARAMETERS: Readonly<SessionParameters> = Object.freeze({
  idleInterval: 500,
  activeInterval: 300,
  activeThreshold: 4000,
});

const LIMITS: Record<keyof SessionParameters, number> = {
  idleInterval: 0xffffffff,
  activeInterval: 0xffffffff,
  activeThreshold: 0xffff,
  dataModelRevision: 0xffff,
  interactionModelRevision: 0xffff,
  specificationVersion: 0xffffffff,
  maxPathsPerInvoke: 0xffff,
  supportedTransports: 0xff,
  maxTcpMessageSize: 0xffffffff,
};

/** Fills in the defaults and checks each given field; throws a RangeError naming a bad one. */
export function resolveSessionParameters(given: Partial<SessionParameters> = {}): SessionParameters {
  const resolved: SessionParameters = { ...DEFAULT_SESSION_PARAMETERS };
  for (const [name, value] of Object.entries(given) as Array<[keyof SessionParameters, unknown]>) {
    if (value === undefined) continue;
    if (!(name in LIMITS)) throw new RangeError(`sessionParameters.${name}: unknown parameter`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > LIMITS[name]) {
      throw new RangeError(`sessionParameters.${name}: expected an integer from 0 to ${LIMITS[name]}, got ${String(value)}`);
    }
    resolved[name] = value;
  }
  return resolved;
}

// The session-parameter struct as handshakes carry it (spec "Session Parameter Structure"), context tags:
// 1 idle interval, 2 active interval, 3 active threshold, 4 data model revision, 5 interaction model revision,
// 6 specification version, 7 max paths per invoke, 8 supported transports, 9 max TCP message size.
const FIELD_TAGS: Array<[keyof SessionParameters, number, TlvIntegerBits]> = [
  ['idleInterval', 1, 32], ['activeInterval', 2, 32], ['activeThreshold', 3, 16], ['dataModelRevision', 4, 16],
  ['interactionModelRevision', 5, 16], ['specificationVersion', 6, 32], ['maxPathsPerInvoke', 7, 16],
  ['supportedTransports', 8, 8], ['maxTcpMessageSize', 9, 32],
];

/** The struct element for a handshake message (`tag` is its context tag there). Absent fields are left out. */
export function sessionParametersTlv(parameters: Partial<SessionParameters>, tag?: number): TlvElement {
  return tlv.struct(FIELD_TAGS.map(([name, fieldTag]) => {
    const value = parameters[name];
    return value === undefined ? undefined : tlv.uint(value, fieldTag);
  }), tag);
}

/** Reads the struct as sent (absent fields stay absent); out-of-range fields are a TlvFieldError. */
export function readSessionParameterFields(fields: TlvFields): Partial<SessionParameters> {
  const given: Partial<SessionParameters> = {};
  for (const [name, fieldTag, bits] of FIELD_TAGS) {
    const value = fields.optionalUint(fieldTag, bits);
    if (value !== undefined) given[name] = value;
  }
  return given;
}

/** Reads the struct; missing fields take the spec defaults. */
export function readSessionParameters(fields: TlvFields): SessionParameters {
  return resolveSessionParameters(readSessionParameterFields(fields));
}
