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
export {
  generateP256KeyPair, p256PublicKey, isValidP256PublicKey, ecdsaSignSha256, ecdsaVerifySha256, ecdhP256,
  ecdsaRawToDer, ecdsaDerToRaw, P256_PRIVATE_KEY_LENGTH, P256_PUBLIC_KEY_LENGTH, P256_SIGNATURE_LENGTH,
  type P256KeyPair,
} from './p256.js';
