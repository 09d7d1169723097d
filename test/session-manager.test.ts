// Node-side session tests beyond the shared conformance suite: restarts on the persistent stores, the
// session-parameter struct, property-based decode fuzzing, and what the universal entry may import.
import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as lib from '../src/node.js';
import { sessionChecks } from './conformance/session-suite.js';
import { sessionSuiteData } from './conformance/suite-data.js';

await lib.ready();
const data = sessionSuiteData();
const restartCheck = (makeStore: () => Promise<lib.KeyValueStore>) =>
  sessionChecks(lib, data, { makeStore }).find((c) => c.name.startsWith('resumption records survive a restart'))!;

describe('resumption records across restarts on persistent stores', () => {
  it('FileStore', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'matter-sessions-records-'));
    try {
      await restartCheck(() => lib.FileStore.open(dir)).run();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('IndexedDbStore (fake-indexeddb)', async () => {
    await restartCheck(async () => new lib.IndexedDbStore(`records-${Math.random()}`)).run();
  });
});

describe('session parameters struct', () => {
  it('round-trips through TLV, absent fields take the defaults', () => {
    const encoded = lib.encodeTlv(lib.sessionParametersTlv({ idleInterval: 5000, activeThreshold: 4000, maxPathsPerInvoke: 10 }));
    const read = lib.readSessionParameters(lib.decodeTlvStruct(encoded));
    assert.deepEqual(read, { idleInterval: 5000, activeInterval: 300, activeThreshold: 4000, maxPathsPerInvoke: 10 });
  });

  it('rejects an active threshold that does not fit 16 bits', () => {
    const encoded = lib.encodeTlv(lib.tlv.struct([lib.tlv.uint(70000, 3)]));
    assert.throws(() => lib.readSessionParameters(lib.decodeTlvStruct(encoded)), lib.TlvFieldError);
  });
});

describe('decode fuzzing (fast-check)', () => {
  it('arbitrary datagrams raise only typed errors, and no forged secure message is accepted', async () => {
    const secret = new Uint8Array(32).fill(1);
    const fabric = { fabricIndex: 1, fabricId: 1n, nodeId: 2n, compressedFabricId: new Uint8Array(8) };
    const manager = await lib.SessionManager.create({ fabrics: { initial: [fabric] } });
    const session = await manager.createSecureSession({ sessionId: manager.getNextAvailableSessionId(), peerSessionId: 1,
      sharedSecret: secret, salt: new Uint8Array(0), isInitiator: false, isResumption: false, peerNodeId: 3n, fabricIndex: 1 });
    const typed = [lib.MalformedMessageError, lib.UnknownSessionError, lib.AuthenticationFailedError, lib.DuplicateMessageError];
    try {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), fc.boolean(), (bytes, aimAtSession) => {
        if (aimAtSession && bytes.length >= 4) {
          bytes[0] = 0; bytes[1] = session.id & 0xff; bytes[2] = session.id >> 8; bytes[3] = bytes[3]! & 0x60;
        }
        try {
          const decoded = manager.decode(bytes);
          assert.ok(decoded.session instanceof lib.UnsecuredSession, 'only unauthenticated (unsecured) traffic may pass');
        } catch (error) {
          assert.ok(typed.some((t) => error instanceof t), `untyped ${(error as Error).name}: ${(error as Error).message}`);
        }
      }), { numRuns: 5000 });
      assert.equal(session.peerWindow.verify(1), 'new', 'no counter was committed by any forged message');
    } finally {
      await manager.close();
    }
  });
});

describe('packaging', () => {
  it('the universal entry (dist/index.js) reaches no node: module, the node entry adds FileStore', async () => {
    const seen = new Set<string>();
    const nodeImports: string[] = [];
    const visit = async (file: string): Promise<void> => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = await readFile(file, 'utf8');
      for (const [, specifier] of code.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        if (!specifier) continue;
        if (specifier.startsWith('node:')) nodeImports.push(`${file}: ${specifier}`);
        else if (specifier.startsWith('.')) await visit(resolve(dirname(file), specifier));
      }
    };
    await visit(resolve('dist/index.js'));
    assert.ok(seen.size > 20, `walked ${seen.size} modules`);
    assert.deepEqual(nodeImports, []);
    const nodeEntry = await import('../dist/node.js');
    assert.equal(typeof nodeEntry.FileStore.open, 'function');
  });
});

describe('group reception across restarts on a FileStore', () => {
  const epochKey = new Uint8Array(16).map((_, i) => 0xa0 + i);
  const fabric = (nodeId: bigint) => ({ fabricIndex: 1, fabricId: 1n, nodeId, compressedFabricId: new Uint8Array(8).fill(0x87) });
  const header = (exchangeId: number) => ({ exchangeId, protocolId: 0x0001, opcode: 0x08, initiator: true, needsAck: false });
  async function member(nodeId: bigint, storage?: lib.KeyValueStore, limits?: lib.SessionLimits) {
    const manager = await lib.SessionManager.create({ fabrics: { initial: [fabric(nodeId)] }, ...(storage ? { storage } : {}), ...(limits ? { limits } : {}) });
    manager.groups.addKeySet(1, { keySetId: 42, epochKeys: [{ key: epochKey, startTime: 0 }] });
    manager.groups.mapGroup(1, 0x0101, 42);
    return manager;
  }
  const counterOf = (wire: Uint8Array) => new DataView(wire.buffer, wire.byteOffset + 4, 4).getUint32(0, true);
  const send = (sender: lib.SessionManager, n: number, control = false) =>
    sender.encodeGroup({ kind: 'group', fabricIndex: 1, groupId: 0x0101 }, header(n), new Uint8Array([n]), { control });

  it('a captured group message is refused after the receiver restarts; the sender\'s counters keep rising after its restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'matter-sessions-groups-'));
    try {
      const senderDir = join(dir, 'sender'), receiverDir = join(dir, 'receiver');
      let senderStore = await lib.FileStore.open(senderDir);
      let sender = await member(0x10n, senderStore);
      let receiverStore = await lib.FileStore.open(receiverDir);
      let receiver = await member(0x20n, receiverStore);
      const captured: Uint8Array[] = [];
      for (let n = 0; n < 5; n++) captured.push(await send(sender, n));
      captured.push(await send(sender, 5, true));
      for (const wire of captured) receiver.decode(wire);
      // Restart both (close flushes the windows the last decodes changed; no await between decode and close).
      await receiver.close(); await receiverStore.close();
      await sender.close(); await senderStore.close();
      receiverStore = await lib.FileStore.open(receiverDir);
      receiver = await member(0x20n, receiverStore);
      senderStore = await lib.FileStore.open(senderDir);
      sender = await member(0x10n, senderStore);
      for (const wire of captured) {
        assert.throws(() => receiver.decode(wire), { name: 'DuplicateMessageError' }, `counter ${counterOf(wire)} replayed after the restart`);
      }
      const next = await send(sender, 9);
      assert.ok(counterOf(next) > Math.max(...captured.slice(0, 5).map(counterOf)), 'group counters never repeat across a restart');
      assert.equal(receiver.decode(next).payload[0], 9, 'the sender\'s new messages are accepted');
      assert.throws(() => receiver.decode(next), { name: 'DuplicateMessageError' });
      // A fresh receiver without the stored windows would have trusted the replay: the check above can fail.
      const forgetful = await member(0x30n);
      assert.equal(forgetful.decode(captured[0]!).payload[0], 0);
      await forgetful.close();
      // Removing the fabric removes its stored windows.
      await receiver.removeFabric(1);
      assert.deepEqual(await receiverStore.list('group-reception/'), []);
      await receiver.close(); await receiverStore.close();
      await sender.close(); await senderStore.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('senders tracked per fabric are bounded: one more is refused with SessionLimitError and changes nothing', async () => {
    const receiver = await member(0x20n, undefined, { maxGroupPeers: 2 });
    const senders = await Promise.all([0x11n, 0x12n, 0x13n].map((id) => member(id)));
    try {
      receiver.decode(await send(senders[0]!, 1));
      receiver.decode(await send(senders[1]!, 1));
      const third = await send(senders[2]!, 1);
      assert.throws(() => receiver.decode(third), { name: 'SessionLimitError', message: /group peers: 2 senders/ });
      receiver.decode(await send(senders[0]!, 2));
      assert.throws(() => receiver.decode(third), { name: 'SessionLimitError' }, 'still refused: nothing was recorded');
    } finally {
      await receiver.close();
      for (const s of senders) await s.close();
    }
  });
});
