// The Node entry (`matter-sessions/node`): everything universal plus what needs Node's modules.
export * from './index.js';
export { FileStore } from './storage/file-store.js';
export { UdpTransport, UdpPeerChannel, MAX_UDP_MESSAGE, type UdpTransportOptions } from './transport/udp-transport.js';
export { startNodeEdgeServer, type NodeEdgeServer, type NodeEdgeServerOptions } from './edge/node-server.js';
export { FileStoreLockedError } from './storage/file-store.js';
