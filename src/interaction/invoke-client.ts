// The client side of an Invoke interaction (spec "Invoke Interaction"): optionally a TimedRequest first, then
// InvokeRequest, then one InvokeResponse (or several, chunked with MoreChunkedMessages, each but the last answered
// with StatusResponse(Success)); a StatusResponse instead means the whole request was refused.
import type { TlvElement } from '../codec/tlv.js';
import type { ExchangeManager } from '../protocol/exchange-manager.js';
import type { SecureSession } from '../session/secure-session.js';
import type { CommandPath } from './command-path.js';
import { MAX_CHUNKS, nextInteraction, refusal, sendInteraction, sendStatus, timedRequest, UnexpectedInteractionMessageError } from './interaction-exchange.js';
import { describeInteractionPath, InteractionStatusError } from './interaction-status-error.js';
import { decodeInvokeResponse, encodeInvokeRequest, type CommandData, type InvokeResponseEntry } from './invoke-interaction.js';
import { InteractionOpcode } from './opcodes.js';
import { InteractionModelStatus } from './status-codes.js';
import type { StatusIB } from './status-ib.js';

/** One command to invoke: where, which, and its fields (an untagged TLV structure; omit for none). */
export interface InvokeTarget {
  endpoint: number;
  cluster: number;
  command: number;
  fields?: TlvElement;
  /** The command needs a timed invoke; a TimedRequest of `timedRequestTimeoutMs` (default 10 s) goes first. */
  timed?: boolean;
}

export interface InvokeOptions {
  /** Send TimedRequest with this timeout (ms, up to 65535) first: required for commands with the timed quality. */
  timedRequestTimeoutMs?: number;
  /** Wait this long for each answer (default 10 s). */
  timeoutMs?: number;
}

/** What a command returned: the response command's id and fields, or nothing for a plain Success status. */
export interface InvokeResult { responseCommand?: number; fields?: TlvElement }

/** One command's outcome in invokeMany: a response command, or a status (Success included). */
export interface CommandOutcome extends InvokeResult { path: CommandPath; status?: StatusIB }

const DEFAULT_TIMED_TIMEOUT_MS = 10_000;

/**
 * Invokes one command. Resolves with the response command (id and fields) or `{}` for Success; rejects with an
 * InteractionStatusError carrying the status, the cluster status and the path when the command or the request failed.
 */
export async function invoke(exchanges: ExchangeManager, session: SecureSession,
  target: InvokeTarget & InvokeOptions & { suppressResponse?: boolean }): Promise<InvokeResult> {
  const [outcome] = await invokeMany(exchanges, session, [target], target);
  if (outcome === undefined) return {};
  if (outcome.status && outcome.status.status !== InteractionModelStatus.success) {
    throw new InteractionStatusError(outcome.status.status, `command ${describeInteractionPath(outcome.path)}`,
      { clusterStatus: outcome.status.clusterStatus, path: outcome.path });
  }
  return outcome.responseCommand === undefined ? {} : { responseCommand: outcome.responseCommand, fields: outcome.fields };
}

/**
 * Invokes several commands in one InvokeRequest (each gets a CommandRef, as the spec requires for more than one).
 * Resolves with one outcome per command, in order; a command the server did not answer gets NO_COMMAND_RESPONSE.
 * With `suppressResponse`, resolves with [] once the request was sent (acknowledged over UDP).
 */
export async function invokeMany(exchanges: ExchangeManager, session: SecureSession, targets: readonly InvokeTarget[],
  options: InvokeOptions & { suppressResponse?: boolean } = {}): Promise<CommandOutcome[]> {
  if (!Array.isArray(targets) || targets.length === 0) throw new RangeError('targets: expected at least one command');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const timedMs = options.timedRequestTimeoutMs ?? (targets.some((t) => t.timed) ? DEFAULT_TIMED_TIMEOUT_MS : undefined);
  const several = targets.length > 1;
  const commands: CommandData[] = targets.map((t, i) => ({
    path: { endpoint: t.endpoint, cluster: t.cluster, command: t.command },
    ...(t.fields === undefined ? {} : { fields: t.fields }), ...(several ? { ref: i } : {}),
  }));
  const suppressResponse = options.suppressResponse ?? false;
  // Encoded before anything is sent, so bad arguments change nothing.
  const request = encodeInvokeRequest({ commands, timedRequest: timedMs !== undefined, suppressResponse });
  const what = several ? `invoke of ${targets.length} commands` : `command ${describeInteractionPath(commands[0]!.path)}`;
  const exchange = exchanges.initiate(session);
  try {
    if (timedMs !== undefined) await timedRequest(exchange, timedMs, timeoutMs, what);
    await sendInteraction(exchange, InteractionOpcode.invokeRequest, request);
    if (suppressResponse) return [];
    const entries: InvokeResponseEntry[] = [];
    for (let chunk = 1; ; chunk++) {
      if (chunk > MAX_CHUNKS) throw new RangeError(`${what}: more than ${MAX_CHUNKS} InvokeResponse chunks`);
      const message = await nextInteraction(exchange, timeoutMs, what);
      if (message.opcode === InteractionOpcode.statusResponse) throw refusal(message, what);
      if (message.opcode !== InteractionOpcode.invokeResponse) {
        throw new UnexpectedInteractionMessageError(what, message.protocolId, message.opcode);
      }
      const response = decodeInvokeResponse(message.payload);
      entries.push(...response.responses);
      if (!response.moreChunkedMessages) break;
      await sendStatus(exchange, InteractionModelStatus.success);
    }
    return commands.map((command, i) => outcomeFor(command, i, entries, several));
  } finally {
    await exchange.close();
  }
}

function outcomeFor(command: CommandData, index: number, entries: InvokeResponseEntry[], several: boolean): CommandOutcome {
  const path = command.path;
  const matches = (ref: number | undefined, p: CommandPath) => (several ? ref === index
    : ref === undefined || ref === index) && p.cluster === path.cluster;
  for (const entry of entries) {
    if (entry.command && matches(entry.command.ref, entry.command.path)) {
      return { path, responseCommand: entry.command.path.command, ...(entry.command.fields ? { fields: entry.command.fields } : {}) };
    }
    if (entry.status && matches(entry.status.ref, entry.status.path)) return { path, status: entry.status.status };
  }
  return { path, status: { status: InteractionModelStatus.noCommandResponse } };
}
