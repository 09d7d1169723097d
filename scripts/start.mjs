// `npm start`: loads the built core (as a user's import would), seals and opens a Matter-profile message, hands
// out session ids, and prints a one-second throughput figure. The edge server replaces this job (issue 6).
import { AesCcmKey, AuthenticationError, SessionIdAllocator, ready } from '../dist/index.js';

await ready();

const key = crypto.getRandomValues(new Uint8Array(16));
const nonce = crypto.getRandomValues(new Uint8Array(13)); // Matter: security flags | counter | source node id
const header = crypto.getRandomValues(new Uint8Array(24)); // the message header is the AAD
const payload = new TextEncoder().encode('matter-sessions: hello from the WebAssembly core');

const sessionKey = new AesCcmKey(key);
const sealed = sessionKey.seal(nonce, payload, header);
const opened = new TextDecoder().decode(sessionKey.open(nonce, sealed, header));
sealed[0] ^= 1;
let tamperedRejected = false;
try {
  sessionKey.open(nonce, sealed, header);
} catch (error) {
  tamperedRejected = error instanceof AuthenticationError;
}

const ids = new SessionIdAllocator();
const allocated = [ids.allocate(), ids.allocate(), ids.allocate()];

const message = new Uint8Array(64), out = new Uint8Array(80);
let count = 0;
const start = performance.now();
while (performance.now() - start < 1000) {
  for (let i = 0; i < 256; i++) sessionKey.sealInto(out, nonce, message, header);
  count += 256;
}
const rate = Math.round(count / ((performance.now() - start) / 1000));
sessionKey.dispose();
ids.dispose();

console.log(JSON.stringify({
  opened,
  tamperedRejected,
  sessionIds: allocated,
  seal64BytesPerSecond: rate,
}, null, 2));
