// The universal entry: runs in Node, Deno, Bun, workerd and browsers; imports nothing runtime-specific.
export * from './core/index.js';
export * from './codec/index.js';
export * from './crypto/index.js';
export * from './storage/index.js';
export * from './session/index.js';
export * from './protocol/index.js';
export * from './interaction/index.js';
export { HttpClientChannel } from './transport/http-client-channel.js';
export { WebSocketClientChannel, type WebSocketLike } from './transport/websocket-client-channel.js';
export * from './transport/btp/index.js';
export * from './commissioning/manual-pairing-code.js';
export * from './credentials/index.js';
export * from './controller/index.js';
export * from './clusters/index.js';
export * from './device/index.js';
export * from './discovery/index.js';
