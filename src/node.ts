// The Node entry (`matter-sessions/node`): everything universal plus what needs Node's modules.
export * from './index.js';
export { FileStore } from './storage/file-store.js';
