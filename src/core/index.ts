export {
  ready, isReady, coreBuild, hasRelaxedSimd, isJavaScriptCore, preferredBuild, type CoreBuild, type WasmSource,
} from './wasm-module.js';
export { AesCcmKey, seal, open, ctrXor, liveKeySlots } from './aes-ccm-key.js';
export { CcmKeyPair, KeySlotLedger } from './ccm-key-pair.js';
export { SessionIdAllocator } from './session-id-allocator.js';
export { AuthenticationError, SessionIdsExhaustedError, CoreNotReadyError } from './errors.js';
