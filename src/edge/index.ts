// `matter-sessions/edge`: the Hono app that terminates Matter sessions (Web-standard; every runtime).
export { createEdgeApp, MAX_MESSAGE_BYTES, type EdgeApp, type EdgeAppOptions } from './edge-app.js';
export { EdgeRealm, type RealmConfig, type HttpOutcome } from './edge-realm.js';
export { EdgeMetrics } from './edge-metrics.js';
export { HttpReplyChannel } from './http-reply-channel.js';
export { WebSocketChannel } from './websocket-channel.js';
export { EdgeFleet, FleetBlockCounter, FleetStateLostError, FleetEpochError, type FleetStore, type FleetOptions } from './edge-fleet.js';
