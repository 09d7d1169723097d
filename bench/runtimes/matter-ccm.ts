// matter.js's pure-JS AES-CCM exactly as its StandardCrypto calls it (a new Ccm(key) per message), bundled from the
// installed @matter/general so every runtime runs the same code.
import { Ccm } from '../../node_modules/@matter/general/dist/esm/crypto/aes/Ccm.js';
import type { MatterCcm } from './portable-core-bench.js';

export const matterCcm: MatterCcm = {
  encrypt: (key, pt, nonce, aad) => Ccm(key).encrypt({ pt, nonce, adata: aad, micLength: 16 }) as Uint8Array,
  decrypt: (key, ct, nonce, aad) => Ccm(key).decrypt({ ct, nonce, adata: aad, micLength: 16 }) as Uint8Array,
};
