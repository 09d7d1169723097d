// `matter-sessions/edge`: the Hono app that terminates Matter sessions (Web-standard; every runtime).
export { createEdgeApp, MAX_MESSAGE_BYTES, type EdgeApp, type EdgeAppOptions } from './edge-app.js';
export { EdgeRealm, type RealmConfig, type HttpOutcome } from './edge-realm.js';
export { EdgeMetrics } from './edge-metrics.js';
export { HttpReplyChannel } from './http-reply-channel.js';
export { WebSocketChannel } from './websocket-channel.js';
export { EdgeFleet, FleetBlockCounter, FleetStateLostError, FleetEpochError, type FleetStore, type FleetOptions } from './edge-fleet.js';
export { createEdgeLog, parseLogLevel, silentLog, LOG_LEVELS, type EdgeLog, type EdgeLogOptions, type LogLevel, type LogFields } from './edge-log.js';
export { createRealmNode, type RealmNodeConfig, type RealmNodeParts } from './edge-node.js';
export { defaultLightApp, type DefaultLightApp } from './default-light-app.js';
