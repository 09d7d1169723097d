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
