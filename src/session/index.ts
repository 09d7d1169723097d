export {
  SessionManager, type SessionManagerOptions, type SessionManagerEvents, type SessionLimits, type SessionCloseReason,
  type CreateSecureSessionArgs, type DecodedMessage, type GroupDestination, type GroupSource, type AnySession,
  type ActiveSessionInformation, type SessionIdClaims, type SessionStateStore, type StoredSessionState,
} from './session-manager.js';
export { SecureSession, type SecureSessionKind, type OutgoingMessageCounter, type PeerCounterWindow } from './secure-session.js';
export { UnsecuredSession } from './unsecured-session.js';
export { type SessionChannel, ManualChannel, CloseSignal } from './session-channel.js';
export { type Fabric, type FabricFactory } from './fabric-table.js';
export { type GroupKeySet, type EpochKey } from './group-keys-table.js';
export { type ResumptionRecord } from './resumption-records.js';
export {
  type SessionParameters, DEFAULT_SESSION_PARAMETERS, resolveSessionParameters, sessionParametersTlv, readSessionParameters,
  readSessionParameterFields,
} from './session-parameters.js';
export { rankEvictionCandidates, type EvictionCandidate, type EvictionHint, type SessionState } from './eviction-policy.js';
export {
  UnknownSessionError, AuthenticationFailedError, DuplicateMessageError, UnknownFabricError, SessionClosedError,
  SessionLimitError,
} from './session-errors.js';
export {
  SecureUnicastReceptionWindow, GroupReceptionWindow, UnencryptedReceptionWindow, type CounterVerdict,
} from './reception-window.js';
export {
  CounterExhaustedError, SessionMessageCounter, UnsecuredMessageCounter, PersistedMessageCounter,
  type PersistedMessageCounterOptions,
} from './message-counters.js';
export { TypedEvents } from './typed-events.js';
export { ReceivedMessage } from './received-message.js';
export { BufferTooSmallError } from './session-errors.js';
