// Entry for Cloudflare's workerd (export condition "workerd"): Workers refuse to compile wasm from bytes, so the
// module is imported as a compiled WebAssembly.Module and becomes ready()'s default source.
import wasm from '../build/matter-sessions.wasm';
import { setDefaultSource } from './core/wasm-module.js';

setDefaultSource(() => wasm);

export * from './index.js';
