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
