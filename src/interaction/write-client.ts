// The client side of a Write interaction (spec "Write Interaction"): optionally a TimedRequest first, then one
// WriteRequest; the server answers WriteResponse with a status per attribute path, or StatusResponse to refuse all.
// List values are written whole in one message (no chunked list writes).
import type { TlvElement } from '../codec/tlv.js';
import type { ExchangeManager } from '../protocol/exchange-manager.js';
import type { SecureSession } from '../session/secure-session.js';
import type { ConcreteAttributePath } from './attribute-path-syntax.js';
import { nextInteraction, refusal, sendInteraction, timedRequest, UnexpectedInteractionMessageError } from './interaction-exchange.js';
import { describeInteractionPath, InteractionStatusError } from './interaction-status-error.js';
import { InteractionOpcode } from './opcodes.js';
import { InteractionModelStatus } from './status-codes.js';
import { decodeWriteResponse, encodeWriteRequest, type AttributeWriteStatus } from './write-interaction.js';

export interface AttributeWriteTarget extends ConcreteAttributePath {
  /** The new value, untagged. */
  value: TlvElement;
  /** Write only if the cluster is still at this data version (else DATA_VERSION_MISMATCH). */
  dataVersion?: number;
}

export interface WriteOptions {
  /** Send TimedRequest with this timeout (ms) first: required for attributes with the timed quality. */
  timedRequestTimeoutMs?: number;
  /** Wait this long for each answer (default 10 s). */
  timeoutMs?: number;
}

/** Writes attributes in one WriteRequest; resolves with the server's status for each path (Success included). */
export async function writeAttributes(exchanges: ExchangeManager, session: SecureSession,
  targets: readonly AttributeWriteTarget[], options: WriteOptions = {}): Promise<AttributeWriteStatus[]> {
  if (!Array.isArray(targets) || targets.length === 0) throw new RangeError('targets: expected at least one attribute write');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const timed = options.timedRequestTimeoutMs;
  const request = encodeWriteRequest({
    timedRequest: timed !== undefined,
    writes: targets.map((t) => ({
      path: { endpoint: t.endpoint, cluster: t.cluster, attribute: t.attribute }, data: t.value,
      ...(t.dataVersion === undefined ? {} : { dataVersion: t.dataVersion }),
    })),
  });
  const what = `write of ${targets.length === 1 ? `attribute ${describeInteractionPath(targets[0]!)}` : `${targets.length} attributes`}`;
  const exchange = exchanges.initiate(session);
  try {
    if (timed !== undefined) await timedRequest(exchange, timed, timeoutMs, what);
    await sendInteraction(exchange, InteractionOpcode.writeRequest, request);
    const answer = await nextInteraction(exchange, timeoutMs, what);
    if (answer.opcode === InteractionOpcode.statusResponse) throw refusal(answer, what);
    if (answer.opcode !== InteractionOpcode.writeResponse) throw new UnexpectedInteractionMessageError(what, answer.protocolId, answer.opcode);
    return decodeWriteResponse(answer.payload);
  } finally {
    await exchange.close();
  }
}

/** Writes one attribute; rejects with InteractionStatusError (status, cluster status, path) unless it succeeded. */
export async function writeAttribute(exchanges: ExchangeManager, session: SecureSession, target: AttributeWriteTarget,
  options: WriteOptions = {}): Promise<void> {
  const statuses = await writeAttributes(exchanges, session, [target], options);
  const path = { endpoint: target.endpoint, cluster: target.cluster, attribute: target.attribute };
  const status = statuses.find((s) => s.path.endpoint === path.endpoint && s.path.cluster === path.cluster
    && s.path.attribute === path.attribute)?.status;
  if (status === undefined) throw new InteractionStatusError(InteractionModelStatus.failure, `write of attribute ${describeInteractionPath(path)}: no status for it`, { path });
  if (status.status !== InteractionModelStatus.success) {
    throw new InteractionStatusError(status.status, `write of attribute ${describeInteractionPath(path)}`, { clusterStatus: status.clusterStatus, path });
  }
}
