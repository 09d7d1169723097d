// What the protocol layer sends through: a session channel (closes with its connection) that can also send.
import type { SessionChannel } from '../session/session-channel.js';

export interface MessageChannel extends SessionChannel {
  /**
   * Reliable transports (BTP, WebSocket, HTTP) deliver in order or fail: no reliable-messaging timers run over
   * them. UDP is not reliable.
   */
  readonly reliable: boolean;
  send(datagram: Uint8Array): void | Promise<void>;
}

export function isMessageChannel(channel: SessionChannel | undefined): channel is MessageChannel {
  return channel !== undefined && typeof (channel as MessageChannel).send === 'function';
}
