// The device's commissioning rules driven step by step by a hand-written commissioner (in memory): nothing without
// an armed fail-safe, one root per fail-safe, AddNOC's status codes, CommissioningComplete refused over PASE, and
// the fail-safe expiring on an injected clock rolls everything back (fabric, NOC, root, ACL, CASE sessions, stored
// record) so that commissioning works again. Also RemoveFabric, multi-admin through OpenCommissioningWindow, an ACL
// that denies a subject, and the attestation credential checks.
import assert from 'node:assert/strict';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as lib from '../src/node.js';
import { memoryLink } from './support/memory-link.js';

await lib.ready();

const info = { vendorId: 0xfff1, vendorName: 'matter-sessions', productId: 0x8000, productName: 'test light', serialNumber: 'SN-2' };
const address = { transport: 'udp' as const, host: '127.0.0.1', port: 1 };
const onOffPath = { endpoint: 1, cluster: 6, attribute: 0 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits until `condition` holds (the device closes sessions a moment after its last response), up to 10 s. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`not within 10 s: ${what}`);
    await sleep(25);
  }
}
const OC = lib.OperationalCredentialsCluster.commands;
const GC = lib.GeneralCommissioningCluster.commands;
const status = (code: number) => (e: unknown) => e instanceof lib.InteractionStatusError && e.status === code;

async function device(options: Partial<lib.MatterDeviceNodeOptions> = {}) {
  const light = new lib.OnOffLight();
  const node = await lib.MatterDeviceNode.create({
    storage: new lib.MemoryStore(), passcode: 20202021, discriminator: 3840, basicInformation: info, allowTestAttestation: true,
    endpoints: [light.endpoint], ...options,
  });
  return { node, light };
}

/** A new in-memory link to the device each call (each controller or commissioner has its own "address"). */
function link(node: lib.MatterDeviceNode) {
  const { a, b } = memoryLink(false);
  b.receiver = (datagram, channel) => node.receive(datagram, channel);
  return a;
}

function memoryTransport(node: lib.MatterDeviceNode): lib.ControllerTransport {
  const a = link(node);
  return { listen(receive) { a.receiver = receive; }, channelFor: () => a, async close() { a.close(); } };
}

/** A bare commissioner: its own fabric and session layer, and one channel to the device. */
async function commissioner(node: lib.MatterDeviceNode) {
  const fabric = await lib.ControllerFabric.loadOrCreate(new lib.MemoryStore());
  const sessions = await lib.SessionManager.create({ fabrics: { initial: [fabric.sessionFabric()] } });
  const exchanges = new lib.ExchangeManager(sessions);
  const channel = link(node);
  channel.receiver = (datagram, ch) => exchanges.receive(datagram, ch);
  return {
    fabric, sessions, exchanges, channel,
    call: <Q, R>(session: lib.SecureSession, definition: lib.CommandDefinition<Q, R>, fields: Q) =>
      lib.invokeCommand(exchanges, session, 0, definition, fields),
    async close() { exchanges.close(); await sessions.close(); },
  };
}

describe('device: the fail-safe and its rollback', { timeout: 120_000 }, () => {
  it('refuses credentials without a fail-safe, checks AddNOC, refuses CommissioningComplete over PASE, rolls back on expiry', async () => {
    const scheduler = new lib.ManualScheduler();
    const storage = new lib.MemoryStore();
    const { node } = await device({ scheduler, storage });
    const c = await commissioner(node);
    try {
      const pase = await lib.establishPase(c.exchanges, c.channel, { passcode: 20202021 });
      const csrNonce = crypto.getRandomValues(new Uint8Array(32));
      // Before ArmFailSafe the PASE session has no Administer (spec §6.6.2.9: it comes with the commissioning's
      // fail-safe), so the access check refuses these before their own FAILSAFE_REQUIRED check is reached.
      await assert.rejects(c.call(pase, OC.csrRequest, { csrNonce }), status(lib.InteractionModelStatus.unsupportedAccess));
      await assert.rejects(c.call(pase, OC.addTrustedRootCertificate, { rootCaCertificate: c.fabric.rcac }), status(lib.InteractionModelStatus.unsupportedAccess));

      const armed = await c.call(pase, GC.armFailSafe, { expiryLengthSeconds: 60, breadcrumb: 5n });
      assert.equal(armed.errorCode, lib.CommissioningErrorCode.ok);
      const breadcrumb = await lib.readAttribute(c.exchanges, pase, { endpoint: 0, cluster: 0x30, attribute: 0 });
      assert.equal(lib.tlvToPlainValue(breadcrumb), 5);
      const regulatory = await c.call(pase, GC.setRegulatoryConfig, { newRegulatoryConfig: lib.RegulatoryLocationType.outdoor, countryCode: 'XX', breadcrumb: 6n });
      assert.equal(regulatory.errorCode, lib.CommissioningErrorCode.ok);
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(c.exchanges, pase, { endpoint: 0, cluster: 0x30, attribute: 2 })), 1);
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(c.exchanges, pase, { endpoint: 0, cluster: 0x30, attribute: 0 })), 6);
      await assert.rejects(c.call(pase, GC.setRegulatoryConfig, { newRegulatoryConfig: 7, countryCode: 'XX', breadcrumb: 0n }),
        status(lib.InteractionModelStatus.constraintError));

      const csr = await c.call(pase, OC.csrRequest, { csrNonce });
      const elements = lib.decodeNocsrElements(csr.nocsrElements);
      assert.deepEqual(elements.csrNonce, csrNonce);
      const deviceKey = lib.publicKeyFromCsr(elements.csr);
      // The NOCSR elements are signed by the DAC over elements ‖ this PASE session's attestation challenge.
      const dacKey = lib.parseAttestationCertificate(node.attestation.dac).publicKey;
      assert.equal(lib.ecdsaVerifySha256(dacKey, new Uint8Array([...csr.nocsrElements, ...pase.attestationChallenge]), csr.attestationSignature), true);

      const noc = c.fabric.authority.issueNoc({ publicKey: deviceKey, nodeId: 0x77n, fabricId: c.fabric.fabricId });
      const addNoc = { nocValue: noc, ipkValue: c.fabric.ipkEpochKey, caseAdminSubject: c.fabric.nodeId, adminVendorId: 0xfff1 };
      assert.equal((await c.call(pase, OC.addNoc, addNoc)).statusCode, lib.NodeOperationalCertStatus.invalidNoc, 'no root yet');
      await c.call(pase, OC.addTrustedRootCertificate, { rootCaCertificate: c.fabric.rcac });
      await assert.rejects(c.call(pase, OC.addTrustedRootCertificate, { rootCaCertificate: c.fabric.rcac }),
        status(lib.InteractionModelStatus.constraintError), 'one root per fail-safe');
      const otherKey = lib.generateP256KeyPair().publicKey;
      const wrongKey = c.fabric.authority.issueNoc({ publicKey: otherKey, nodeId: 0x77n, fabricId: c.fabric.fabricId });
      assert.equal((await c.call(pase, OC.addNoc, { ...addNoc, nocValue: wrongKey })).statusCode, lib.NodeOperationalCertStatus.invalidPublicKey);
      assert.equal((await c.call(pase, OC.addNoc, { ...addNoc, caseAdminSubject: 0n })).statusCode, lib.NodeOperationalCertStatus.invalidAdminSubject);
      const added = await c.call(pase, OC.addNoc, addNoc);
      assert.equal(added.statusCode, lib.NodeOperationalCertStatus.ok);
      assert.equal(added.fabricIndex, 1);
      assert.equal(node.fabrics.size, 1);
      assert.equal(node.fabrics.record(1)?.pending, true);
      // Over PASE after AddNOC, the session acts on the new fabric.
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(c.exchanges, pase, { endpoint: 0, cluster: 0x3e, attribute: 5 })), 1);

      const refused = await c.call(pase, GC.commissioningComplete, {});
      assert.equal(refused.errorCode, lib.CommissioningErrorCode.invalidAuthentication, 'CommissioningComplete over PASE');

      const { session: caseSession } = await lib.establishCase(c.exchanges, c.channel, { fabric: c.fabric.caseFabric(), peerNodeId: 0x77n });
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(c.exchanges, caseSession, onOffPath)), false);
      assert.equal((await storage.list('device/fabrics/')).length, 1);

      // The fail-safe runs out (injected clock): everything AddNOC brought is gone.
      scheduler.advance(60_001);
      await node.settled;
      assert.equal(node.failSafe.armed, false);
      assert.equal(node.fabrics.size, 0);
      assert.equal(node.fabrics.acl().length, 0);
      assert.deepEqual(await storage.list('device/fabrics/'), []);
      // Its CASE sessions and the PASE session end just after (they may carry the last response).
      await eventually(() => node.sessions.getActiveSessionInformation().length === 0, 'the CASE and PASE sessions end');
      assert.equal(node.sessions.getFabric(1), undefined);
      await assert.rejects(lib.establishCase(c.exchanges, c.channel, { fabric: c.fabric.caseFabric(), peerNodeId: 0x77n, resume: false, timeoutMs: 3000 }),
        (e: unknown) => e instanceof lib.CaseError && e.failure === 'no-shared-trust-roots');

      // ...and the device can be commissioned again at once.
      const controller = await lib.MatterController.open({ storage: new lib.MemoryStore(), transport: memoryTransport(node) });
      try {
        await controller.commission({ address, passcode: 20202021, nodeId: 3n });
        assert.equal(node.fabrics.size, 1);
        assert.equal(node.fabrics.record(1), undefined);
        assert.equal(node.fabrics.record(2)?.pending, false, 'the next index: a removed one is not reused at once');
      } finally {
        await controller.close();
      }
    } finally {
      await c.close();
      await node.close();
    }
  });

  it('a node restarted with a pending fabric drops it; ArmFailSafe(0) rolls back at once', async () => {
    const storage = new lib.MemoryStore();
    const first = await device({ storage, scheduler: new lib.ManualScheduler() });
    const c = await commissioner(first.node);
    try {
      const pase = await lib.establishPase(c.exchanges, c.channel, { passcode: 20202021 });
      await c.call(pase, GC.armFailSafe, { expiryLengthSeconds: 60, breadcrumb: 0n });
      const csr = await c.call(pase, OC.csrRequest, { csrNonce: new Uint8Array(32) });
      await c.call(pase, OC.addTrustedRootCertificate, { rootCaCertificate: c.fabric.rcac });
      const noc = c.fabric.authority.issueNoc({ publicKey: lib.publicKeyFromCsr(lib.decodeNocsrElements(csr.nocsrElements).csr), nodeId: 5n, fabricId: c.fabric.fabricId });
      assert.equal((await c.call(pase, OC.addNoc, { nocValue: noc, ipkValue: c.fabric.ipkEpochKey, caseAdminSubject: c.fabric.nodeId, adminVendorId: 1 })).statusCode, 0);
      assert.equal((await storage.list('device/fabrics/')).length, 1);
      const restarted = await device({ storage });
      assert.equal(restarted.node.fabrics.size, 0, 'the pending fabric did not survive the restart');
      assert.equal(restarted.node.window.isOpen, true);
      await restarted.node.close();

      const disarmed = await c.call(pase, GC.armFailSafe, { expiryLengthSeconds: 0, breadcrumb: 0n });
      assert.equal(disarmed.errorCode, lib.CommissioningErrorCode.ok);
      await first.node.settled;
      assert.equal(first.node.fabrics.size, 0);
      assert.deepEqual(await storage.list('device/fabrics/'), []);
    } finally {
      await c.close();
      await first.node.close();
    }
  });
});

describe('device: administrators', { timeout: 120_000 }, () => {
  it('RemoveFabric: the fabric, its ACL and its sessions go, and the node is commissionable again', async () => {
    const { node } = await device();
    const controller = await lib.MatterController.open({ storage: new lib.MemoryStore(), transport: memoryTransport(node) });
    try {
      await controller.commission({ address, passcode: 20202021, nodeId: 11n });
      assert.equal(node.window.isOpen, false);
      const removed = await controller.removeNode(11n);
      assert.equal(removed.removedFromDevice, true);
      assert.equal(node.fabrics.size, 0);
      assert.equal(node.fabrics.acl().length, 0);
      assert.equal(node.window.isOpen, true, 'no fabric left: the initial window opens again');
      await eventually(() => node.sessions.getActiveSessionInformation().length === 0, 'the fabric\'s CASE session closes');
      await controller.commission({ address, passcode: 20202021, nodeId: 12n });
      assert.equal(node.fabrics.size, 1);
    } finally {
      await controller.close();
      await node.close();
    }
  });

  it('a second administrator joins through OpenCommissioningWindow while the first keeps control; an ACL denies a subject', async () => {
    const { node, light } = await device();
    const first = await lib.MatterController.open({ storage: new lib.MemoryStore(), transport: memoryTransport(node) });
    const second = await lib.MatterController.open({ storage: new lib.MemoryStore(), transport: memoryTransport(node) });
    try {
      await first.commission({ address, passcode: 20202021, nodeId: 1n });
      // OpenCommissioningWindow needs a timed invoke and a verifier for a new passcode.
      const passcode = 34567890;
      const salt = crypto.getRandomValues(new Uint8Array(32));
      const verifier = lib.serializeVerifier(lib.computePasscodeVerifier(passcode, salt, 1000));
      const open = lib.administratorCommissioning.openCommissioningWindow({
        commissioningTimeout: 180, pakePasscodeVerifier: verifier, discriminator: 1234, iterations: 1000, salt,
      });
      await assert.rejects(first.invoke(1n, { endpoint: 0, ...open, timed: false }), status(lib.InteractionModelStatus.needsTimedInteraction));
      await assert.rejects(first.invoke(1n, { endpoint: 0,
        ...lib.administratorCommissioning.openCommissioningWindow({ commissioningTimeout: 60, pakePasscodeVerifier: verifier, discriminator: 1, iterations: 1000, salt }) }),
      status(lib.InteractionModelStatus.invalidCommand), 'a timeout under 180 s');
      await first.invoke(1n, { endpoint: 0, ...open });
      assert.equal(lib.tlvToPlainValue(await first.read(1n, { endpoint: 0, cluster: 0x3c, attribute: 0 })), lib.WindowStatus.enhancedWindowOpen);
      assert.equal(lib.tlvToPlainValue(await first.read(1n, { endpoint: 0, cluster: 0x3c, attribute: 1 })), 1);
      await assert.rejects(first.invoke(1n, { endpoint: 0, ...open }), (e: unknown) => e instanceof lib.InteractionStatusError
        && e.clusterStatus === lib.AdministratorCommissioningStatus.busy, 'a second window while one is open');

      // While another administrator's window is open, CASE may not arm the fail-safe (spec 11.10.7.2).
      const busy = GC.armFailSafe.decodeResponse(await first.invoke(1n, { endpoint: 0, ...GC.armFailSafe.encode({ expiryLengthSeconds: 60, breadcrumb: 0n }) }));
      assert.equal(busy.errorCode, lib.CommissioningErrorCode.busyWithOtherAdmin);

      const joined = await second.commission({ address, passcode, nodeId: 2n });
      assert.notEqual(joined.fabricId, undefined);
      assert.equal(node.fabrics.size, 2);
      assert.equal(node.window.isOpen, false);
      const fabrics = lib.OperationalCredentialsCluster.attributes.fabrics.type.decode(
        await first.read(1n, { endpoint: 0, cluster: 0x3e, attribute: 1 }), 'Fabrics');
      assert.deepEqual(fabrics.map((f) => f.fabricId).sort(), [first.fabric.fabricId, second.fabric.fabricId].sort());
      // Each sees its own fabric index and its own NOC only.
      assert.equal(lib.tlvToPlainValue(await second.read(2n, { endpoint: 0, cluster: 0x3e, attribute: 5 })), 2);
      const nocs = lib.OperationalCredentialsCluster.attributes.nocs.type.decode(await second.read(2n, { endpoint: 0, cluster: 0x3e, attribute: 0 }), 'NOCs');
      assert.deepEqual(nocs.map((n) => n.fabricIndex), [2]);

      await first.invoke(1n, { endpoint: 1, ...lib.onOff.toggle() });
      assert.equal(lib.tlvToPlainValue(await second.read(2n, onOffPath)), true);

      // The first administrator narrows its own fabric's ACL to the Access Control cluster: it is now refused
      // elsewhere (UNSUPPORTED_ACCESS), while the second fabric's entries are untouched.
      const acl = lib.AccessControlCluster.attributes.acl;
      const aclPath = { endpoint: 0, cluster: 0x1f, attribute: 0 };
      await assert.rejects(first.write(1n, aclPath, acl.type.encode([{ privilege: 5, authMode: 1, subjects: [first.fabric.nodeId], targets: null }], 'acl')),
        status(lib.InteractionModelStatus.constraintError), 'PASE entries cannot be written');
      await first.write(1n, aclPath, acl.type.encode([
        { privilege: 5, authMode: 2, subjects: [first.fabric.nodeId], targets: [{ cluster: 0x1f, endpoint: 0, deviceType: null }] },
      ], 'acl'));
      await assert.rejects(first.invoke(1n, { endpoint: 1, ...lib.onOff.toggle() }), status(lib.InteractionModelStatus.unsupportedAccess));
      await assert.rejects(first.read(1n, onOffPath), status(lib.InteractionModelStatus.unsupportedAccess));
      assert.equal(light.on, true);
      await second.invoke(2n, { endpoint: 1, ...lib.onOff.toggle() });
      assert.equal(light.on, false);
      const entries = acl.type.decode(await first.read(1n, aclPath), 'ACL');
      assert.deepEqual(entries.map((e) => [e.fabricIndex, e.subjects]), [[1, [first.fabric.nodeId]]], 'a reader sees its fabric\'s entries only');
      // A subject the ACL does not name is refused too: a view entry for someone else does not help.
      await first.write(1n, aclPath, acl.type.encode([
        { privilege: 5, authMode: 2, subjects: [first.fabric.nodeId], targets: [{ cluster: 0x1f, endpoint: 0, deviceType: null }] },
        { privilege: 3, authMode: 2, subjects: [0x1234n], targets: null },
      ], 'acl'));
      await assert.rejects(first.invoke(1n, { endpoint: 1, ...lib.onOff.toggle() }), status(lib.InteractionModelStatus.unsupportedAccess));
      await first.write(1n, aclPath, acl.type.encode([{ privilege: 5, authMode: 2, subjects: [first.fabric.nodeId], targets: null }], 'acl'));
      await first.invoke(1n, { endpoint: 1, ...lib.onOff.toggle() });
      assert.equal(light.on, true);

      // Fabric labels are unique on a node.
      const label = (controller: lib.MatterController, nodeId: bigint, text: string) =>
        controller.invoke(nodeId, { endpoint: 0, ...OC.updateFabricLabel.encode({ label: text }) }).then((r) => OC.updateFabricLabel.decodeResponse(r));
      assert.equal((await label(second, 2n, 'kitchen')).statusCode, lib.NodeOperationalCertStatus.ok);
      assert.equal((await label(first, 1n, 'kitchen')).statusCode, lib.NodeOperationalCertStatus.labelConflict);
      assert.equal(node.fabrics.descriptor(2)?.label, 'kitchen');

      // RevokeCommissioning closes a window the first administrator opened; a second revoke finds none.
      await first.invoke(1n, { endpoint: 0, ...lib.administratorCommissioning.openCommissioningWindow({
        commissioningTimeout: 180, pakePasscodeVerifier: verifier, discriminator: 1234, iterations: 1000, salt }) });
      assert.equal(node.window.isOpen, true);
      await first.invoke(1n, { endpoint: 0, ...lib.administratorCommissioning.revokeCommissioning() });
      assert.equal(node.window.isOpen, false);
      assert.equal(lib.tlvToPlainValue(await first.read(1n, { endpoint: 0, cluster: 0x3c, attribute: 0 })), lib.WindowStatus.windowNotOpen);
      await assert.rejects(first.invoke(1n, { endpoint: 0, ...lib.administratorCommissioning.revokeCommissioning() }),
        (e: unknown) => e instanceof lib.InteractionStatusError && e.clusterStatus === lib.AdministratorCommissioningStatus.windowNotOpen);
      const probe = link(node);
      probe.receiver = (datagram, channel) => first.exchanges.receive(datagram, channel);
      await assert.rejects(lib.establishPase(first.exchanges, probe, { passcode, timeoutMs: 3000 }),
        (e: unknown) => e instanceof lib.PaseError && e.failure === 'busy', 'no PASE without a window');
    } finally {
      await first.close();
      await second.close();
      await node.close();
    }
  });
});

describe('device: UpdateNOC', { timeout: 60_000 }, () => {
  it('installs a new NOC over CASE under a fail-safe, and ArmFailSafe(0) restores the previous one', async () => {
    const { node } = await device();
    const controller = await lib.MatterController.open({ storage: new lib.MemoryStore(), transport: memoryTransport(node) });
    try {
      await controller.commission({ address, passcode: 20202021, nodeId: 21n });
      const call = async <Q, R>(definition: lib.CommandDefinition<Q, R>, fields: Q) =>
        definition.decodeResponse(await controller.invoke(21n, { endpoint: 0, ...(definition.encode as (f: Q) => lib.CommandInvocation)(fields) }));
      assert.equal((await call(GC.armFailSafe, { expiryLengthSeconds: 60, breadcrumb: 0n })).errorCode, 0);
      const forAdd = await call(OC.csrRequest, { csrNonce: new Uint8Array(32) });
      const addKey = lib.publicKeyFromCsr(lib.decodeNocsrElements(forAdd.nocsrElements).csr);
      const otherNoc = controller.fabric.authority.issueNoc({ publicKey: addKey, nodeId: 0x99n, fabricId: controller.fabric.fabricId });
      assert.equal((await call(OC.updateNoc, { nocValue: otherNoc })).statusCode, lib.NodeOperationalCertStatus.missingCsr, 'the CSR was not for UpdateNOC');
      const csr = await call(OC.csrRequest, { csrNonce: new Uint8Array(32), isForUpdateNoc: true });
      const key = lib.publicKeyFromCsr(lib.decodeNocsrElements(csr.nocsrElements).csr);
      const noc = controller.fabric.authority.issueNoc({ publicKey: key, nodeId: 0x99n, fabricId: controller.fabric.fabricId });
      const updated = await call(OC.updateNoc, { nocValue: noc });
      assert.equal(updated.statusCode, lib.NodeOperationalCertStatus.ok);
      assert.equal(node.fabrics.get(1)?.nodeId, 0x99n);
      assert.equal((await call(GC.armFailSafe, { expiryLengthSeconds: 0, breadcrumb: 0n })).errorCode, 0);
      await node.settled;
      assert.equal(node.fabrics.get(1)?.nodeId, 21n, 'the rollback restored the previous NOC');
    } finally {
      await controller.close();
      await node.close();
    }
  });
});

describe('device: attestation credentials', () => {
  it('test credentials are refused without allowTestAttestation', async () => {
    await assert.rejects(lib.MatterDeviceNode.create({ storage: new lib.MemoryStore(), passcode: 20202021, discriminator: 1, basicInformation: info }),
      /allowTestAttestation/);
    assert.throws(() => lib.createTestAttestation({ vendorId: 0xfff1, productId: 1, allowTestAttestation: false }), /allowTestAttestation/);
    const test = lib.createTestAttestation({ vendorId: 0xfff1, productId: 0x8000, allowTestAttestation: true });
    assert.equal(test.test, true);
    assert.throws(() => lib.checkAttestationCredentials(test), lib.AttestationCredentialsError);
    assert.throws(() => lib.checkAttestationCredentials({ ...test, pai: test.dac }, { allowTestAttestation: true }), /attestation\.dac: its authority key id/);
  });

  it('the certificate builder and declaration signer name the bad field', () => {
    const key = lib.generateP256KeyPair();
    const base = { serialNumber: 1n, issuer: { commonName: 'I' }, subject: { commonName: 'S' }, notBefore: 0, notAfter: 10,
      publicKey: key.publicKey, authorityKeyId: new Uint8Array(20) };
    assert.throws(() => lib.buildAttestationCertificate({ ...base, serialNumber: 0n }, key.privateKey), /options\.serialNumber/);
    assert.throws(() => lib.buildAttestationCertificate({ ...base, notAfter: 0 }, key.privateKey), /notBefore\/notAfter/);
    assert.throws(() => lib.buildAttestationCertificate({ ...base, subject: { commonName: 'S', vendorId: 0x10000 } }, key.privateKey), /options\.subject\.vendorId/);
    assert.throws(() => lib.buildAttestationCertificate({ ...base, authorityKeyId: new Uint8Array(19) }, key.privateKey), /authorityKeyId/);
    const content = { formatVersion: 1, vendorId: 1, productIds: [1], deviceTypeId: 0x100, certificateId: 'CSA00000SWC00000-01',
      securityLevel: 0, securityInformation: 0, versionNumber: 1, certificationType: 2 };
    assert.throws(() => lib.signCertificationDeclaration({ ...content, productIds: [] }, key.privateKey, new Uint8Array(20)), /content\.productIds/);
    assert.throws(() => lib.signCertificationDeclaration({ ...content, certificationType: 3 }, key.privateKey, new Uint8Array(20)), /content\.certificationType/);
    const signed = lib.parseCertificationDeclaration(lib.signCertificationDeclaration(content, key.privateKey, lib.keyIdentifier(key.publicKey)));
    assert.deepEqual(signed.content.productIds, [1]);
    assert.equal(signed.content.certificateId, 'CSA00000SWC00000-01');
  });

  it('production-style credentials load from files (PEM key, DER certificates); OpenSSL agrees on the chain', async () => {
    // A private PKI standing in for a vendor's: PAA -> PAI -> DAC, and an official-type declaration.
    const now = Math.floor(Date.now() / 1000);
    const validity = { notBefore: now - 60, notAfter: now + 86_400 };
    const paa = lib.generateP256KeyPair(), pai = lib.generateP256KeyPair(), cdKey = lib.generateP256KeyPair();
    const dacKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const dacPublic = new Uint8Array(dacKey.publicKey.export({ format: 'der', type: 'spki' })).slice(-65);
    const paaId = lib.keyIdentifier(paa.publicKey);
    const paaDer = lib.buildAttestationCertificate({ serialNumber: 1n, issuer: { commonName: 'Vendor PAA' }, subject: { commonName: 'Vendor PAA' },
      ...validity, publicKey: paa.publicKey, ca: { pathLength: 1 }, authorityKeyId: paaId }, paa.privateKey);
    const paiDer = lib.buildAttestationCertificate({ serialNumber: 2n, issuer: { commonName: 'Vendor PAA' }, subject: { commonName: 'Vendor PAI', vendorId: 0x1234 },
      ...validity, publicKey: pai.publicKey, ca: { pathLength: 0 }, authorityKeyId: paaId }, paa.privateKey);
    const dacDer = lib.buildAttestationCertificate({ serialNumber: 3n, issuer: { commonName: 'Vendor PAI', vendorId: 0x1234 },
      subject: { commonName: 'Vendor DAC', vendorId: 0x1234, productId: 0x42 }, ...validity, publicKey: dacPublic,
      authorityKeyId: lib.keyIdentifier(pai.publicKey) }, pai.privateKey);
    const cd = lib.signCertificationDeclaration({ formatVersion: 1, vendorId: 0x1234, productIds: [0x42], deviceTypeId: 0x100,
      certificateId: 'CSA00000SWC00000-01', securityLevel: 0, securityInformation: 0, versionNumber: 1, certificationType: 2 },
    cdKey.privateKey, lib.keyIdentifier(cdKey.publicKey));
    const openssl = (der: Uint8Array) => new X509Certificate(der);
    assert.equal(openssl(paiDer).verify(openssl(paaDer).publicKey), true);
    assert.equal(openssl(dacDer).verify(openssl(paiDer).publicKey), true);
    assert.equal(openssl(dacDer).checkIssued(openssl(paiDer)), true);

    const dir = await mkdtemp(join(tmpdir(), 'ms-attestation-'));
    try {
      const files = { dac: join(dir, 'dac.der'), pai: join(dir, 'pai.der'), dacPrivateKey: join(dir, 'dac-key.pem'), certificationDeclaration: join(dir, 'cd.der') };
      await writeFile(files.dac, dacDer);
      await writeFile(files.pai, paiDer);
      await writeFile(files.certificationDeclaration, cd);
      await writeFile(files.dacPrivateKey, dacKey.privateKey.export({ format: 'pem', type: 'sec1' }));
      const loaded = await lib.readAttestationFiles(files);
      assert.equal(loaded.test, false);
      assert.equal(loaded.vendorId, 0x1234);
      assert.equal(loaded.productId, 0x42);
      const node = await lib.MatterDeviceNode.create({ storage: new lib.MemoryStore(), passcode: 20202021, discriminator: 1,
        basicInformation: { ...info, vendorId: 0x1234, productId: 0x42 }, attestation: loaded });
      await node.close();
      // The wrong key for the DAC is named.
      await writeFile(files.dacPrivateKey, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'der', type: 'sec1' }));
      await assert.rejects(lib.readAttestationFiles(files), /dacPrivateKey: it is not the key of the DAC/);
      await assert.rejects(lib.readAttestationFiles({ ...files, pai: join(dir, 'missing.der') }), /files\.pai: cannot read/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
