// A fleet instance in its own process, for tests that kill one: joins the fleet on the Redis at argv[2] (key prefix
// argv[3], lease argv[4] ms), claims three session ids in realm "home", makes a secure session on the first, prints
// {"ids":[...],"owner":...} on one line, then keeps renewing its lease until killed.
import { ready } from '../../src/core/index.js';
import { EdgeFleet } from '../../src/edge/edge-fleet.js';
import { SessionManager } from '../../src/session/session-manager.js';
import { RedisStore } from '../../src/storage/redis-store.js';

const [url, keyPrefix, lease] = process.argv.slice(2);
await ready();
const store = await RedisStore.connect({ url: url!, keyPrefix: keyPrefix! });
const fleet = new EdgeFleet(store, { instanceId: `child-${process.pid}`, fleetKey: new Uint8Array(16).fill(9), leaseMs: Number(lease) });
const sessions = await SessionManager.create({ limits: { maxPaseSessions: 10 }, ...fleet.sessionOptions('home') });
fleet.attach('home', sessions);
const ids = [await sessions.reserveSessionId(), await sessions.reserveSessionId(), await sessions.reserveSessionId()];
await sessions.createSecureSession({
  sessionId: ids[0]!, peerSessionId: 77, sharedSecret: crypto.getRandomValues(new Uint8Array(32)), salt: new Uint8Array(0),
  isInitiator: false, isResumption: false, peerNodeId: 0n,
});
process.stdout.write(`${JSON.stringify({ ids })}\n`);
setInterval(() => {}, 1 << 30);
