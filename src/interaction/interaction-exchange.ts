// Steps shared by the Interaction Model clients on one exchange: send an IM message, take the next one (refusing
// other protocols), and the Timed Request step (spec "Timed Interaction": TimedRequest, then StatusResponse(Success)
// before the Write or Invoke that it announces).
import type { Exchange, ExchangeMessage } from '../protocol/exchange.js';
import { ProtocolId } from '../protocol/protocol-ids.js';
import { InteractionStatusError } from './interaction-status-error.js';
import { InteractionOpcode } from './opcodes.js';
import { decodeStatusResponse, encodeStatusResponse } from './read-interaction.js';
import { InteractionModelStatus } from './status-codes.js';
import { encodeTimedRequest } from './timed-request.js';

/**
 * Chunked messages one interaction accepts (InvokeResponse, priming and subscription ReportData): a bound on what a
 * peer can make us collect; 64 chunks of about 1 KiB each is far more than any cluster's data needs.
 */
export const MAX_CHUNKS = 64;

/** The peer sent a message this interaction does not expect at this point. */
export class UnexpectedInteractionMessageError extends Error {
  override name = 'UnexpectedInteractionMessageError';
  constructor(readonly what: string, readonly protocolId: number, readonly opcode: number) {
    super(`${what}: unexpected message (protocol 0x${protocolId.toString(16)}, opcode 0x${opcode.toString(16)})`);
  }
}

export function sendInteraction(exchange: Exchange, opcode: number, payload: Uint8Array): Promise<void> {
  return exchange.send(opcode, payload, { protocolId: ProtocolId.interactionModel });
}

export function sendStatus(exchange: Exchange, status: number): Promise<void> {
  return sendInteraction(exchange, InteractionOpcode.statusResponse, encodeStatusResponse(status));
}

/** The next IM message on the exchange; a message of another protocol is an UnexpectedInteractionMessageError. */
export async function nextInteraction(exchange: Exchange, timeoutMs: number, what: string): Promise<ExchangeMessage> {
  const message = await exchange.next(timeoutMs);
  if (message.protocolId !== ProtocolId.interactionModel) {
    throw new UnexpectedInteractionMessageError(what, message.protocolId, message.opcode);
  }
  return message;
}

/** A StatusResponse where another message was expected: the peer refused the interaction. */
export function refusal(message: ExchangeMessage, what: string): InteractionStatusError {
  return new InteractionStatusError(decodeStatusResponse(message.payload), `${what} was refused`);
}

/** Sends TimedRequest(timeoutMs) and waits for the StatusResponse that must say Success. */
export async function timedRequest(exchange: Exchange, timeoutMs: number, responseTimeoutMs: number, what: string): Promise<void> {
  await sendInteraction(exchange, InteractionOpcode.timedRequest, encodeTimedRequest(timeoutMs));
  const answer = await nextInteraction(exchange, responseTimeoutMs, what);
  if (answer.opcode !== InteractionOpcode.statusResponse) {
    throw new UnexpectedInteractionMessageError(`${what} (timed request)`, answer.protocolId, answer.opcode);
  }
  const status = decodeStatusResponse(answer.payload);
  if (status !== InteractionModelStatus.success) throw new InteractionStatusError(status, `${what}: the timed request was refused`);
}
