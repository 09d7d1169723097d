// DNS-SD discovery data (Matter Core spec §4.3): commissionable and operational service names, subtypes and TXT
// against the spec's examples and the compressed fabric id vector, and what a MatterDeviceNode advertises as its
// window opens and closes and fabrics come and go.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import * as lib from '../src/index.js';

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const mrp = { idleInterval: 500, activeInterval: 300, activeThreshold: 4000 };
const cfidVector = JSON.parse(await readFile(new URL('../../shared/vectors/compressed-fabric-id.json', import.meta.url), 'utf8')) as {
  vectors: Array<{ rootPublicKey: string; fabricId: string; expected: string }>;
};

describe('commissionable service (spec §4.3.1)', () => {
  it('the spec example: instance DD200C20D25AE5F7, _L840 _S3 _V123 _CM, D=840 CM=2', () => {
    const service = lib.commissionableService({
      discriminator: 840, mode: lib.CommissioningMode.enhanced, vendorId: 123, productId: 456,
      sessionParameters: mrp, instanceId: hex('dd200c20d25ae5f7'),
    });
    assert.equal(service.type, '_matterc._udp');
    assert.equal(service.instance, 'DD200C20D25AE5F7');
    assert.deepEqual(service.subtypes, ['_L840', '_S3', '_V123', '_CM']);
    assert.deepEqual(service.txt, { D: '840', CM: '2', VP: '123+456', SII: '500', SAI: '300', SAT: '4000' });
  });

  it('short discriminator is the upper 4 bits; DT, DN, PH and PI when given; no _CM outside a window', () => {
    const service = lib.commissionableService({
      discriminator: 3840, mode: lib.CommissioningMode.basic, vendorId: 0xfff1, productId: 0x8000, deviceType: 0x0100,
      deviceName: 'Kitchen light', pairingHint: 33, sessionParameters: { idleInterval: 5000, activeInterval: 300, activeThreshold: 4000 },
      instanceId: new Uint8Array(8),
    });
    assert.equal(service.instance, '0000000000000000');
    assert.deepEqual(service.subtypes, ['_L3840', '_S15', '_V65521', '_T256', '_CM']);
    assert.deepEqual(service.txt, { D: '3840', CM: '1', VP: '65521+32768', DT: '256', DN: 'Kitchen light', SII: '5000', SAI: '300', SAT: '4000', PH: '33' });
    const withInstruction = lib.commissionableService({ discriminator: 1, mode: 1, vendorId: 1, productId: 0, pairingHint: 0x100, pairingInstruction: '5', sessionParameters: mrp });
    assert.equal(withInstruction.txt.PI, '5');
    assert.equal(withInstruction.txt.VP, '1', 'product 0 is left out of VP');
    assert.deepEqual(withInstruction.subtypes, ['_L1', '_S0', '_V1', '_CM']);
    const extended = lib.commissionableService({ discriminator: 0xabc, mode: lib.CommissioningMode.none, vendorId: 1, productId: 2, sessionParameters: mrp });
    assert.deepEqual(extended.subtypes, ['_L2748', '_S10', '_V1']);
    assert.equal(extended.txt.CM, '0');
  });

  it('the instance id is 64 random bits in 16 uppercase hex digits, fresh each time', () => {
    const names = new Set(Array.from({ length: 20 }, () =>
      lib.commissionableService({ discriminator: 1, mode: 1, vendorId: 1, productId: 1, sessionParameters: mrp }).instance));
    assert.equal(names.size, 20);
    for (const name of names) assert.match(name, /^[0-9A-F]{16}$/);
  });

  it('bad input is a typed error naming the field', () => {
    const base = { discriminator: 1, mode: 1, vendorId: 1, productId: 1, sessionParameters: mrp };
    assert.throws(() => lib.commissionableService({ ...base, discriminator: 4096 }), /discriminator: expected an integer from 0 to 4095, got 4096/);
    assert.throws(() => lib.commissionableService({ ...base, mode: 3 }), /mode: expected an integer from 0 to 2/);
    assert.throws(() => lib.commissionableService({ ...base, vendorId: -1 }), /vendorId/);
    assert.throws(() => lib.commissionableService({ ...base, deviceName: 'x'.repeat(33) }), /deviceName: expected at most 32 bytes of UTF-8, got 33/);
    assert.throws(() => lib.commissionableService({ ...base, deviceName: 'é'.repeat(17) }), /deviceName: .* got 34/);
    assert.throws(() => lib.commissionableService({ ...base, pairingInstruction: 'x' }), /pairingInstruction: given without a pairingHint/);
    assert.throws(() => lib.commissionableService({ ...base, pairingHint: 1, pairingInstruction: 'x'.repeat(129) }), /pairingInstruction: expected at most 128/);
    assert.throws(() => lib.commissionableService({ ...base, instanceId: new Uint8Array(7) }), /instanceId: expected 8 bytes/);
    assert.throws(() => lib.commissionableService({ ...base, sessionParameters: { ...mrp, idleInterval: 3_600_001 } }), /sessionParameters.idleInterval: expected an integer from 0 to 3600000/);
    assert.throws(() => lib.commissionableService({ ...base, sessionParameters: { ...mrp, activeThreshold: 65536 } }), /sessionParameters.activeThreshold/);
  });
});

describe('operational service (spec §4.3.2)', () => {
  const vector = cfidVector.vectors[0]!;
  const cfid = lib.compressedFabricId(hex(vector.rootPublicKey), BigInt(vector.fabricId));

  it('instance <CompressedFabricId>-<NodeId> in uppercase hex, subtype _I<CompressedFabricId>, MRP TXT', () => {
    assert.equal(lib.operationalInstanceName(cfid, 0x8fc7772401cd0696n), `${vector.expected.toUpperCase()}-8FC7772401CD0696`);
    const service = lib.operationalService({ compressedFabricId: cfid, nodeId: 1n, sessionParameters: mrp });
    assert.equal(service.type, '_matter._tcp');
    assert.equal(service.instance, '87E1B004E235A130-0000000000000001', 'the node id keeps its 16 digits');
    assert.deepEqual(service.subtypes, ['_I87E1B004E235A130']);
    assert.deepEqual(service.txt, { SII: '500', SAI: '300', SAT: '4000' });
  });

  it('bad input names the field', () => {
    assert.throws(() => lib.operationalInstanceName(new Uint8Array(4), 1n), /compressedFabricId: expected 8 bytes/);
    assert.throws(() => lib.operationalInstanceName(cfid, 1n << 64n), /nodeId: expected a 64-bit unsigned bigint/);
    assert.throws(() => lib.operationalInstanceName(cfid, 1 as never), /nodeId/);
  });
});

describe('what a MatterDeviceNode advertises', () => {
  async function node() {
    return lib.MatterDeviceNode.create({
      storage: new lib.MemoryStore(), passcode: 20202021, discriminator: 3840, allowTestAttestation: true,
      basicInformation: { vendorId: 0xfff1, vendorName: 'v', productId: 0x8000, productName: 'Lampe de la cuisine (édition)', serialNumber: 'dnssd-1' },
      endpoints: [new lib.OnOffLight().endpoint],
    });
  }

  it('commissionable while the window is open (CM=1, then CM=2 for an enhanced window), operational per fabric from AddNOC to removal', async () => {
    const device = await node();
    const discovery = new lib.NodeDiscovery(device);
    let changes = 0;
    const stop = device.onDiscoveryChange(() => changes++);
    const initial = discovery.services();
    assert.equal(initial.length, 1);
    assert.equal(initial[0]!.type, '_matterc._udp');
    assert.deepEqual(initial[0]!.subtypes, ['_L3840', '_S15', '_V65521', '_T256', '_CM']);
    assert.equal(initial[0]!.txt.CM, '1');
    assert.equal(initial[0]!.txt.DN, 'Lampe de la cuisine (édition)', 'DN is the product name');
    assert.equal(discovery.services()[0]!.instance, initial[0]!.instance, 'one instance name while the window stays open');

    device.window.close();
    assert.deepEqual(discovery.services(), []);
    assert.equal(changes, 1);

    // A fabric joins (as AddNOC does): its operational service appears.
    const authority = lib.FabricAuthority.create({});
    const key = lib.generateP256KeyPair();
    await device.fabrics.add({
      fabricIndex: 1, rcac: authority.rcac, noc: authority.issueNoc({ publicKey: key.publicKey, nodeId: 0x1234n, fabricId: 0x2906c908d115d362n }),
      operationalPrivateKey: key.privateKey, ipkEpochKey: new Uint8Array(16).fill(1), vendorId: 0xfff1, label: '', pending: true,
    });
    assert.equal(changes, 2);
    const cfid = lib.compressedFabricId(authority.rootPublicKey, 0x2906c908d115d362n);
    const cfidHex = Array.from(cfid, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
    assert.deepEqual(discovery.services().map((s) => [s.type, s.instance, s.subtypes]), [
      ['_matter._tcp', `${cfidHex}-0000000000001234`, [`_I${cfidHex}`]],
    ]);

    // An administrator's window (OpenCommissioningWindow): CM=2, with a new instance name.
    device.window.openWithVerifier({ w0: new Uint8Array(32).fill(1), L: new Uint8Array(65).fill(4), salt: new Uint8Array(16), iterations: 1000 } as never, 180_000, 1, 0xfff1);
    const enhanced = discovery.services();
    assert.deepEqual(enhanced.map((s) => s.type), ['_matterc._udp', '_matter._tcp']);
    assert.equal(enhanced[0]!.txt.CM, '2');
    assert.notEqual(enhanced[0]!.instance, initial[0]!.instance);
    device.window.close();

    await device.removeFabric(1);
    assert.deepEqual(discovery.services().map((s) => [s.type, s.txt.CM]), [['_matterc._udp', '1']], 'a node without fabrics is commissionable again');
    assert.ok(changes >= 6);
    stop();
    const before = changes;
    device.window.close();
    assert.equal(changes, before, 'a stopped listener hears nothing');
    await device.close();
  });

  it('deviceName null leaves DN out; a given name is used as is', async () => {
    const device = await node();
    assert.equal(new lib.NodeDiscovery(device, { deviceName: null }).services()[0]!.txt.DN, undefined);
    assert.equal(new lib.NodeDiscovery(device, { deviceName: 'Hall' }).services()[0]!.txt.DN, 'Hall');
    await device.close();
  });
});
