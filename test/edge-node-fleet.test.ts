// An edge realm that is a Matter node in a two-instance Redis fleet: commissioned through instance A over HTTP, its
// fabric lives in the fleet's store, so instance B (whose realm starts after) answers CASE for it, resuming the
// session A made from the shared resumption record. What is not there yet is said in the last test.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as lib from '../src/node.js';
import { EdgeFleet } from '../src/edge/index.js';
import { RedisStore } from '../src/redis.js';
import { startRedisServer, type RedisServer } from './support/redis-server.js';

await lib.ready();
const FLEET_KEY = crypto.getRandomValues(new Uint8Array(16));

describe('a node realm in a two-instance fleet', { timeout: 120_000 }, () => {
  let redis: RedisServer;
  const stores: RedisStore[] = [];
  const servers: lib.NodeEdgeServer[] = [];
  let dataDir: string;
  let keyPrefix: string;
  const lights: lib.DefaultLightApp[] = [];

  const instance = async (name: string) => {
    const store = await RedisStore.connect({ url: redis.url, keyPrefix, timeoutMs: 2000 });
    stores.push(store);
    const app = lib.defaultLightApp();
    lights.push(app);
    const server = await lib.startNodeEdgeServer({
      realms: { home: { passcode: 20202021, node: app.node } },
      port: 0, dataDir: join(dataDir, name), fleet: new EdgeFleet(store, { instanceId: name, fleetKey: FLEET_KEY }),
    });
    servers.push(server);
    return server;
  };

  before(async () => {
    redis = await startRedisServer();
    dataDir = await mkdtemp(join(tmpdir(), 'edge-node-fleet-'));
    keyPrefix = `edge-node-fleet-${Date.now()}:`;
  });
  after(async () => {
    for (const server of servers) await server.close();
    for (const store of stores) await store.close();
    await redis?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('commissioned through A; B, started after, loads the fabric from the fleet store and resumes A\'s CASE session', async () => {
    const a = await instance('a');
    const storage = new lib.MemoryStore();
    const first = await lib.MatterController.open({ storage, transport: lib.edgeControllerTransport() });
    try {
      await first.commission({ address: { transport: 'http', host: `${a.url}/realms/home/messages`, port: 0 }, passcode: 20202021, nodeId: 9n });
      await first.invoke(9n, { endpoint: 1, ...lib.onOff.toggle() });
      assert.equal(lights[0]!.light.on, true);
    } finally {
      await first.close();
    }
    const b = await instance('b');
    const nodeB = (await b.edge.realm('home'))!.node!;
    assert.equal(nodeB.fabrics.size, 1, 'B read the fabric A stored');
    const opened: string[] = [];
    (await b.edge.realm('home'))!.sessions.events.on('sessionOpened', (s) => opened.push(`${s.kind}${s.isResumption ? '/resumed' : ''}`));
    // A controller process-alike on the same store reaches B: CASE resumed from the record A wrote to the fleet.
    const second = await lib.MatterController.open({ storage, transport: lib.edgeControllerTransport() });
    try {
      const connection = await second.connect(9n, { address: { transport: 'http', host: `${b.url}/realms/home/messages`, port: 0 } });
      assert.equal(connection.resumed, true);
      await second.invoke(9n, { endpoint: 1, ...lib.onOff.toggle() });
      assert.equal(lights[1]!.light.on, true, 'B\'s light (each instance runs its own app state)');
      assert.deepEqual(opened, ['case/resumed']);
    } finally {
      await second.close();
    }
  });
});
