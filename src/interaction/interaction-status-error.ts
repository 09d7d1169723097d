// A failure status of the Interaction Model (spec "Status Codes"; StatusIB / StatusResponseMessage), as an error: the
// IM status, the cluster's own status when the cluster defines one, and the path it concerns.
import { describeInteractionModelStatus, InteractionModelStatus } from './status-codes.js';

/** What a status names: an attribute, a command, or the whole interaction (no path). */
export interface InteractionPath { endpoint?: number; cluster?: number; attribute?: number; command?: number }

/** A path for messages, e.g. "1/0x6/cmd 0x2" or "0/0x28/1". */
export function describeInteractionPath(path: InteractionPath): string {
  const hex = (n: number | undefined) => (n === undefined ? '*' : `0x${n.toString(16)}`);
  const endpoint = path.endpoint === undefined ? '*' : String(path.endpoint);
  if (path.command !== undefined) return `${endpoint}/${hex(path.cluster)}/cmd ${hex(path.command)}`;
  return `${endpoint}/${hex(path.cluster)}/${path.attribute === undefined ? '*' : path.attribute}`;
}

/**
 * The peer (or, on the server, a handler) answered with a status other than Success. `status` is the IM status code,
 * `clusterStatus` the cluster-specific code carried with it (spec: StatusIB ClusterStatus), `path` what it concerns.
 */
export class InteractionStatusError extends Error {
  override name = 'InteractionStatusError';
  readonly clusterStatus: number | undefined;
  readonly path: InteractionPath | undefined;

  constructor(readonly status: number, what: string, details: { clusterStatus?: number; path?: InteractionPath } = {}) {
    const cluster = details.clusterStatus === undefined ? '' : `, cluster status 0x${details.clusterStatus.toString(16)}`;
    super(`${what}: ${describeInteractionModelStatus(status)}${cluster}`);
    this.clusterStatus = details.clusterStatus;
    this.path = details.path;
  }
}

/** A value broke its field's constraint (spec status CONSTRAINT_ERROR); `field` names it. */
export class ConstraintError extends InteractionStatusError {
  override name = 'ConstraintError';
  constructor(readonly field: string, problem: string) {
    super(InteractionModelStatus.constraintError, `${field}: ${problem}`);
  }
}
