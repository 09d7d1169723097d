// The Worker the test runs in workerd: the built workerd edge (dist/edge/workerd.js, whose wasm comes in as a module
// import), plus a probe object that exercises DurableObjectStore over its own storage:
//   POST /probe/store-checks       the store conformance suite, each check on emptied storage; the report as JSON
//   PUT  /probe/records/<key>      stores the body under <key>
//   GET  /probe/records/<key>      the value, or 404
import edge, { DurableObjectStore, MatterRealmObject } from '../../dist/edge/workerd.js';
import { storeChecks } from '../conformance/store-suite.ts';

export { MatterRealmObject };

async function runStoreChecks(storage) {
  const checks = storeChecks(async () => {
    await storage.deleteAll();
    return new DurableObjectStore(storage);
  });
  const failures = [];
  for (const check of checks) {
    try {
      await check.run();
    } catch (error) {
      failures.push(`${check.name}: ${error?.stack ?? error}`);
    }
  }
  await storage.deleteAll();
  return { passed: checks.length - failures.length, failed: failures.length, failures };
}

export class StoreProbe {
  constructor(ctx) {
    this.storage = ctx.storage;
  }

  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === '/probe/store-checks') return Response.json(await runStoreChecks(this.storage));
    const key = decodeURIComponent(pathname.slice('/probe/records/'.length));
    const store = new DurableObjectStore(this.storage);
    try {
      if (request.method === 'PUT') {
        await store.set(key, new Uint8Array(await request.arrayBuffer()));
        return new Response(null, { status: 204 });
      }
      const value = await store.get(key);
      return value ? new Response(value) : new Response(null, { status: 404 });
    } finally {
      await store.close();
    }
  }
}

export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname.startsWith('/probe/')) return env.PROBE.get(env.PROBE.idFromName('probe')).fetch(request);
    return edge.fetch(request, env, ctx);
  },
};
