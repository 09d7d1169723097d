// Entry for Cloudflare's workerd (export condition "workerd"): Workers refuse to compile wasm from bytes, so the
// builds are imported as compiled WebAssembly.Modules and ready() without a source takes the best one for the
// engine: the relaxed-SIMD build where workerd's V8 validates relaxed SIMD, else the baseline (about 19 KB both).
import baseline from '../build/matter-sessions.wasm';
import relaxed from '../build/matter-sessions-relaxed.wasm';
import { setDefaultModules } from './core/wasm-module.js';

setDefaultModules({ 'simd': baseline, 'relaxed-simd': relaxed });

export * from './index.js';
