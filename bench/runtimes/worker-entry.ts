// workerd runs the bundle of this file. The wasm builds are module imports (Workers compile wasm only from modules);
// the bench hands ready() the relaxed one where the engine has relaxed SIMD, as a Worker does with
// `import wasm from 'matter-sessions/wasm-relaxed'`.
import * as lib from '../../src/index.js';
import baseline from '../../build/matter-sessions.wasm';
import relaxed from '../../build/matter-sessions-relaxed.wasm';
import { matterCcm } from './matter-ccm.js';
import { portableCoreBench } from './portable-core-bench.js';

export default {
  async fetch(): Promise<Response> {
    try {
      await lib.ready(lib.hasRelaxedSimd() ? relaxed : baseline);
      const report = await portableCoreBench(lib, matterCcm, 'workerd', navigator.userAgent);
      return Response.json({ ...report, coreBuild: lib.hasRelaxedSimd() ? 'relaxed-simd (given)' : 'simd (given)' });
    } catch (error) {
      return new Response(String((error as Error)?.stack ?? error), { status: 500 });
    }
  },
};
