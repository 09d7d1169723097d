export { sha256, hmacSha256, hkdfSha256, pbkdf2Sha256 } from './hashes.js';
export {
  derivePaseSessionKeys, deriveCaseSessionKeys, deriveCaseResumptionSessionKeys,
  type SessionKeys, type CaseSessionSecrets, type CaseResumptionSecrets,
} from './session-keys.js';
export {
  deriveOperationalGroupKey, deriveGroupSessionId, derivePrivacyKey, deriveGroupKeys, type GroupKeys,
} from './group-keys.js';
