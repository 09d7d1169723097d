// The Node entry (`matter-sessions/node`): everything universal plus what needs Node's modules.
export * from './index.js';
export { FileStore } from './storage/file-store.js';
export { UdpTransport, UdpPeerChannel, MAX_UDP_MESSAGE, type UdpTransportOptions } from './transport/udp-transport.js';
export { startNodeEdgeServer, type NodeEdgeServer, type NodeEdgeServerOptions } from './edge/node-server.js';
export { FileStoreLockedError } from './storage/file-store.js';
export { udpControllerTransport } from './transport/udp-controller-transport.js';
export { readAttestationFiles, parseEcPrivateKey, type AttestationFiles } from './device/attestation-files.js';
export { listenRealmUdp, MATTER_UDP_PORT, type RealmUdpListener, type RealmUdpOptions } from './edge/udp-listener.js';
export { createRealmNode, type RealmNodeConfig } from './edge/edge-node.js';
export { defaultLightApp, type DefaultLightApp } from './edge/default-light-app.js';
export { nodeAppFromEnv, type NodeAppEnv } from './edge/node-app-env.js';
export { edgeControllerTransport, type EdgeControllerTransportOptions } from './transport/edge-controller-transport.js';
export { MdnsAdvertiser, advertiseNode, type MdnsAdvertiserOptions, type NodeAdvertisement } from './discovery/mdns-advertiser.node.js';
