// CASE at an edge realm over WebSocket (Matter Core spec §4.14.2.2 resumption): resumptions done back to back on
// the same realm each resume, because the responder stores the new resumption id before the initiator can name it;
// and the realm's /metrics count the CASE handshakes by outcome (full, resumed, failures by reason).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import * as lib from '../src/node.js';

await lib.ready();

describe('CASE at an edge realm over WebSocket', { timeout: 120_000 }, () => {
  let server: lib.NodeEdgeServer;
  let dataDir: string;
  let controller: lib.MatterController;
  let ws: lib.NodeAddress;
  const passcode = 20202021 + Math.floor(Math.random() * 1000);

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'edge-case-'));
    server = await lib.startNodeEdgeServer({ realms: { attic: { passcode, node: lib.defaultLightApp().node } }, port: 0, dataDir });
    ws = { transport: 'ws', host: `${server.url.replace('http', 'ws')}/realms/attic/ws`, port: 0 };
    controller = await lib.MatterController.open({
      storage: new lib.MemoryStore(),
      transport: lib.edgeControllerTransport({ webSocket: (url) => new WebSocket(url) as unknown as lib.WebSocketLike }),
    });
    await controller.commission({ address: ws, passcode, nodeId: 1n });
  });
  after(async () => {
    await controller?.close();
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('10 resumptions back to back, each started as soon as the previous one ends, all resume', async () => {
    const channel = await controller.transport.channelFor(ws);
    const realm = (await server.edge.realm('attic'))!;
    const opened: boolean[] = [];
    realm.sessions.events.on('sessionOpened', (s) => { if (s.kind === 'case') opened.push(s.isResumption); });
    const resumed: boolean[] = [];
    for (let i = 0; i < 10; i++) {
      const result = await lib.establishCase(controller.exchanges, channel, {
        fabric: controller.fabric.caseFabric(), peerNodeId: 1n, timeoutMs: 10_000,
      });
      resumed.push(result.resumed);
    }
    assert.deepEqual(resumed, Array(10).fill(true), 'the initiator saw Sigma2_Resume every time');
    assert.deepEqual(opened, Array(10).fill(true), 'the realm opened 10 resumed sessions');
  });
});
