export { sha256, hmacSha256, hkdfSha256, pbkdf2Sha256 } from './hashes.js';
export {
  derivePaseSessionKeys, deriveCaseSessionKeys, deriveCaseResumptionSessionKeys,
  type SessionKeys, type CaseSessionSecrets, type CaseResumptionSecrets,
} from './session-keys.js';
export {
  deriveOperationalGroupKey, deriveGroupSessionId, derivePrivacyKey, deriveGroupKeys, type GroupKeys,
} from './group-keys.js';
export {
  computePasscodeVerifier, serializeVerifier, parseVerifier, SERIALIZED_VERIFIER_LENGTH,
  type ProverSecrets, type VerifierSecrets, type PasscodeSecrets,
} from './passcode-verifier.js';
export {
  paseContext, startSpake2pProver, startSpake2pVerifier,
  type Spake2pBinding, type Spake2pProverOptions, type Spake2pVerifierOptions, type Spake2pProver,
  type Spake2pProverResult, type Spake2pVerifier,
} from './spake2p.js';
export { Spake2pError, type Spake2pFailure } from './spake2p-error.js';
