// The Worker that runs the suites in workerd. It imports the package by name, so the bundler resolves it through the
// "workerd" export condition (dist/workerd.js, which imports the wasm as a module) as it would for a user's Worker.
// POST the suite data as JSON; the response is the report.
import * as lib from 'matter-sessions';
import { runAllSuites } from '../../test-output/runtimes/all-suites.js';

export default {
  async fetch(request) {
    try {
      const report = await runAllSuites(lib, await request.json(), 'workerd', { stores: { memory: async () => new lib.MemoryStore() } });
      return Response.json({ ...report, version: navigator.userAgent, coreBuild: lib.coreBuild(), relaxedSimd: lib.hasRelaxedSimd() });
    } catch (error) {
      return new Response(String(error?.stack ?? error), { status: 500 });
    }
  },
};
