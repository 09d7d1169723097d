// The Node entry (`matter-sessions/node`): everything universal plus what needs Node's modules.
export * from './index.js';
export { FileStore } from './storage/file-store.js';
export { UdpTransport, UdpPeerChannel, MAX_UDP_MESSAGE, type UdpTransportOptions } from './transport/udp-transport.js';
export { startNodeEdgeServer, type NodeEdgeServer, type NodeEdgeServerOptions } from './edge/node-server.js';
export { FileStoreLockedError } from './storage/file-store.js';
export { udpControllerTransport } from './transport/udp-controller-transport.js';
export { readAttestationFiles, parseEcPrivateKey, type AttestationFiles } from './device/attestation-files.js';
