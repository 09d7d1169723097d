// workerd runs the bundle of this file. It takes the library through the workerd entry (src/workerd.ts), which
// imports the wasm builds as modules (Workers compile wasm only from modules) and lets ready() pick one, as a
// user's Worker does with the "workerd" export condition.
import * as lib from '../../src/workerd.js';
import { matterCcm } from './matter-ccm.js';
import { portableCoreBench } from './portable-core-bench.js';

export default {
  async fetch(): Promise<Response> {
    try {
      await lib.ready();
      const report = await portableCoreBench(lib, matterCcm, 'workerd', navigator.userAgent);
      return Response.json(report);
    } catch (error) {
      return new Response(String((error as Error)?.stack ?? error), { status: 500 });
    }
  },
};
