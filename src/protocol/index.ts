export { type MessageChannel, isMessageChannel } from './message-channel.js';
export { ProtocolId, SecureChannelOpcode } from './protocol-ids.js';
export { MRP, retransmissionDelay } from './reliable-messaging.js';
export {
  Exchange, type ExchangeMessage, ExchangeTimeoutError, RetransmissionLimitError, ExchangeClosedError,
} from './exchange.js';
export { ExchangeManager, type ExchangeManagerOptions, type ProtocolHandler } from './exchange-manager.js';
export { closeSession, isCloseSession } from './close-session.js';
export { establishPase, type PaseInitiatorOptions } from './pase/pase-initiator.js';
export { PaseResponder, type PaseResponderOptions, type HandshakeFailure } from './pase/pase-responder.js';
export {
  CommissioningWindow, type CommissioningWindowBackoff, type CommissioningWindowChange, type CommissioningWindowOptions,
  type CommissioningWindowState,
} from './pase/commissioning-window.js';
export { HandshakeSlots, type HandshakeSlot, type HandshakeStage } from './pase/handshake-slots.js';
export { PaseError, type PaseFailure } from './pase/pase-error.js';
export {
  encodePbkdfParamRequest, decodePbkdfParamRequest, encodePbkdfParamResponse, decodePbkdfParamResponse,
  encodePake1, decodePake1, encodePake2, decodePake2, encodePake3, decodePake3, PaseMessageError,
  type PbkdfParamRequest, type PbkdfParamResponse, type PbkdfParameters,
} from './pase/pase-messages.js';
