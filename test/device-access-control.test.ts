// Unit checks of the device's pieces: the ACL privilege-granting rules (spec §6.6.6: privilege order, proxy view,
// CAT subjects with versions, targets by cluster, endpoint and device type), the entry constraints, the fail-safe's
// cumulative limit on an injected clock, and the fabric table's persistence.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as lib from '../src/index.js';

await lib.ready();

const context = (subject: bigint, tags: number[] = []) => ({ subject, caseAuthenticatedTags: tags });
const entry = (over: Partial<lib.AclEntry>): lib.AclEntry =>
  ({ fabricIndex: 1, privilege: 3, authMode: 2, subjects: [5n], targets: null, ...over });
const light = { endpoint: 1, cluster: 6 };

describe('ACL: privilege granting (spec 6.6.6)', () => {
  it('privileges include the weaker ones; proxy view grants view only', () => {
    const operate = [entry({ privilege: 3 })];
    assert.equal(lib.aclAllows(operate, context(5n), 1, light, 'view'), true);
    assert.equal(lib.aclAllows(operate, context(5n), 1, light, 'operate'), true);
    assert.equal(lib.aclAllows(operate, context(5n), 1, light, 'manage'), false);
    const proxy = [entry({ privilege: 2 })];
    assert.equal(lib.aclAllows(proxy, context(5n), 1, light, 'view'), true);
    assert.equal(lib.aclAllows(proxy, context(5n), 1, light, 'operate'), false);
  });

  it('subjects: node ids, and CATs matched by identifier with a version at least the entry\'s', () => {
    const cat = 0xffff_fffd_0000_0000n | 0xabcd_0002n; // identifier 0xABCD, version 2
    const entries = [entry({ subjects: [cat] })];
    assert.equal(lib.aclAllows(entries, context(9n, [0xabcd_0002]), 1, light, 'operate'), true);
    assert.equal(lib.aclAllows(entries, context(9n, [0xabcd_0003]), 1, light, 'operate'), true, 'a newer version');
    assert.equal(lib.aclAllows(entries, context(9n, [0xabcd_0001]), 1, light, 'operate'), false, 'an older version');
    assert.equal(lib.aclAllows(entries, context(9n, [0xabce_0002]), 1, light, 'operate'), false, 'another identifier');
    assert.equal(lib.aclAllows(entries, context(9n), 1, light, 'operate'), false);
    assert.equal(lib.aclAllows([entry({ subjects: null })], context(1234n), 1, light, 'operate'), true, 'null: every CASE subject');
  });

  it('entries apply to their fabric and auth mode only', () => {
    assert.equal(lib.aclAllows([entry({ fabricIndex: 2 })], context(5n), 1, light, 'view'), false);
    assert.equal(lib.aclAllows([entry({ authMode: 3 })], context(5n), 1, light, 'view'), false);
  });

  it('targets: cluster, endpoint, device type', () => {
    const byCluster = [entry({ targets: [{ cluster: 6, endpoint: null, deviceType: null }] })];
    assert.equal(lib.aclAllows(byCluster, context(5n), 1, light, 'operate'), true);
    assert.equal(lib.aclAllows(byCluster, context(5n), 1, { endpoint: 1, cluster: 8 }, 'operate'), false);
    const byEndpoint = [entry({ targets: [{ cluster: null, endpoint: 2, deviceType: null }] })];
    assert.equal(lib.aclAllows(byEndpoint, context(5n), 1, light, 'operate'), false);
    assert.equal(lib.aclAllows(byEndpoint, context(5n), 1, { endpoint: 2, cluster: 6 }, 'operate'), true);
    const byType = [entry({ targets: [{ cluster: null, endpoint: null, deviceType: 0x100 }] })];
    const types = (endpoint: number) => (endpoint === 1 ? [0x100] : [0x16]);
    assert.equal(lib.aclAllows(byType, context(5n), 1, light, 'operate', types), true);
    assert.equal(lib.aclAllows(byType, context(5n), 1, { endpoint: 0, cluster: 0x28 }, 'operate', types), false);
  });

  it('entry constraints name the field', () => {
    assert.match(lib.aclEntryProblem(entry({ authMode: 1 }))!, /^authMode/);
    assert.match(lib.aclEntryProblem(entry({ privilege: 6 }))!, /^privilege/);
    assert.match(lib.aclEntryProblem(entry({ authMode: 3, privilege: 5, subjects: [1n] }))!, /group entry cannot grant Administer/);
    assert.match(lib.aclEntryProblem(entry({ subjects: [0n] }))!, /^subjects\[0\]/);
    assert.match(lib.aclEntryProblem(entry({ subjects: [1n, 2n, 3n, 4n, 5n] }))!, /^subjects: at most 4/);
    assert.match(lib.aclEntryProblem(entry({ targets: [{ cluster: null, endpoint: null, deviceType: null }] }))!, /^targets\[0\]: names nothing/);
    assert.match(lib.aclEntryProblem(entry({ targets: [{ cluster: null, endpoint: 1, deviceType: 0x100 }] }))!, /exclusive/);
    assert.equal(lib.aclEntryProblem(entry({})), undefined);
    assert.equal(lib.isValidCaseAdminSubject(0n), false);
    assert.equal(lib.isValidCaseAdminSubject(0xffff_fffd_0001_0000n), false, 'a CAT with version 0');
    assert.equal(lib.isValidCaseAdminSubject(0xffff_fffd_0001_0001n), true);
  });
});

describe('FailSafe on an injected clock', () => {
  it('expires after its length, re-arming extends it, never past the cumulative limit', () => {
    const scheduler = new lib.ManualScheduler();
    const expired: lib.FailSafeContext[] = [];
    const failSafe = new lib.FailSafe(scheduler, (c) => expired.push(c), 100);
    const session = {} as lib.SecureSession;
    failSafe.arm(60, session, undefined, []);
    scheduler.advance(50_000);
    failSafe.arm(60, session, undefined, []); // re-armed at 50 s: would run to 110 s, capped at 100 s
    scheduler.advance(49_999);
    assert.equal(failSafe.armed, true);
    scheduler.advance(1);
    assert.equal(failSafe.armed, false);
    assert.equal(expired.length, 1);
    assert.throws(() => failSafe.arm(0, session, undefined, []), /seconds: expected 1 to 65535/);
    failSafe.arm(10, session, undefined, []);
    assert.ok(failSafe.disarm());
    scheduler.advance(20_000);
    assert.equal(expired.length, 1, 'a disarmed fail-safe does not expire');
    assert.equal(scheduler.pendingTimers, 0);
  });
});

describe('NodeFabricTable', () => {
  it('refuses fewer than 5 supported fabrics; a corrupt stored fabric is an error naming the field', async () => {
    const sessions = await lib.SessionManager.create();
    await assert.rejects(lib.NodeFabricTable.load(new lib.MemoryStore(), sessions, { supportedFabrics: 4 }), /supportedFabrics: expected 5 to 254/);
    const store = new lib.MemoryStore();
    await store.set('device/fabrics/001', new TextEncoder().encode(JSON.stringify({ fabricIndex: 1, rcac: '00' })));
    await assert.rejects(lib.NodeFabricTable.load(store, sessions), /stored fabric: noc is missing/);
    await sessions.close();
  });

  it('a fabric with an ICAC persists and reloads; a bad chain or a failed write changes nothing', async () => {
    const authority = lib.FabricAuthority.create({ intermediate: true });
    const key = lib.generateP256KeyPair();
    const record = (over: Partial<lib.FabricRecord> = {}): lib.FabricRecord => ({
      fabricIndex: 1, rcac: authority.rcac, icac: authority.icac, noc: authority.issueNoc({ publicKey: key.publicKey, nodeId: 0x10n, fabricId: 7n }),
      operationalPrivateKey: key.privateKey.slice(), ipkEpochKey: new Uint8Array(16).fill(3), vendorId: 0xfff1, label: 'home', pending: false, ...over,
    });
    let failWrites = false;
    const memory = new lib.MemoryStore();
    const store: lib.KeyValueStore = {
      get: (k) => memory.get(k), delete: (k) => memory.delete(k), list: (p) => memory.list(p),
      setIfAbsent: (k, v) => memory.setIfAbsent(k, v), increment: (k, by) => memory.increment(k, by), close: () => memory.close(),
      set: (k, v) => (failWrites ? Promise.reject(new Error('disk full')) : memory.set(k, v)),
    };
    const sessions = await lib.SessionManager.create();
    const table = await lib.NodeFabricTable.load(store, sessions);
    await assert.rejects(table.add(record({ operationalPrivateKey: lib.generateP256KeyPair().privateKey })), /operationalPrivateKey/);
    failWrites = true;
    await assert.rejects(table.add(record()), /disk full/);
    assert.equal(table.size, 0);
    assert.equal(sessions.getFabric(1), undefined);
    failWrites = false;
    await table.add(record());
    await table.setAcl(1, [entry({ subjects: [0x20n] })]);
    failWrites = true;
    await assert.rejects(table.setAcl(1, []), /disk full/);
    assert.equal(table.aclOf(1).length, 1, 'the ACL is unchanged after a failed write');
    failWrites = false;
    const sessions2 = await lib.SessionManager.create();
    const reloaded = await lib.NodeFabricTable.load(store, sessions2);
    assert.equal(reloaded.get(1)?.nodeId, 0x10n);
    assert.equal(reloaded.descriptor(1)?.label, 'home');
    assert.deepEqual(reloaded.aclOf(1).map((e) => e.subjects), [[0x20n]]);
    assert.equal(sessions2.getFabric(1)?.nodeId, 0x10n);
    await sessions.close();
    await sessions2.close();
  });
});
