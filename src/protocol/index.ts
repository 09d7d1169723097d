export { type MessageChannel, isMessageChannel } from './message-channel.js';
export { ProtocolId, SecureChannelOpcode } from './protocol-ids.js';
export { MRP, retransmissionDelay } from './reliable-messaging.js';
export {
  Exchange, type ExchangeMessage, ExchangeTimeoutError, RetransmissionLimitError, ExchangeClosedError,
} from './exchange.js';
export { ExchangeManager, type ExchangeManagerOptions, type ProtocolHandler } from './exchange-manager.js';
