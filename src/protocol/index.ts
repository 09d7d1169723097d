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
export { establishCase, type CaseInitiatorOptions, type CaseResult } from './case/case-initiator.js';
export { CaseResponder, type CaseResponderOptions } from './case/case-responder.js';
export { CaseError, CaseMessageError, type CaseFailure } from './case/case-error.js';
export {
  CaseFabrics, checkCaseFabric, createCaseFabric, sessionFabricOf, type CaseFabricCredentials, type CaseFabric, type CaseFabricSource, type OperationalChain,
  type OperationalChainVerifier, type VerifiedOperationalChain,
} from './case/case-fabric.js';
export {
  encodeSigma1, decodeSigma1, encodeSigma2, decodeSigma2, encodeSigma3, decodeSigma3, encodeSigma2Resume,
  decodeSigma2Resume, encodeTbeData2, decodeTbeData2, encodeTbeData3, decodeTbeData3, encodeTbsData,
  MAX_ENCRYPTED2_LENGTH, MAX_ENCRYPTED3_LENGTH, MAX_CERTIFICATE_LENGTH,
  type Sigma1, type Sigma2, type Sigma3, type Sigma2Resume, type TbeData, type TbeData2, type TbsData,
} from './case/case-messages.js';
export {
  sigma2Salt, sigma3Salt, caseSessionSalt, resumptionSalt, deriveS2K, deriveS3K, sigma1ResumeMic, sigma2ResumeMic,
} from './case/case-key-schedule.js';
export { defaultChainVerifier } from './case/case-chain.js';
