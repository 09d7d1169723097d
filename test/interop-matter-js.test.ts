// Interoperability with a Matter device nobody here wrote: a matter.js ServerNode (an On/Off Light) on loopback.
// Our commissioner pairs by PASE over UDP, reads BasicInformation VendorName (0/0x28/1), closes the session with
// CloseSession; a wrong passcode is refused; the CLI does the same from the command line.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import * as lib from '../src/node.js';
import { randomPasscode, startMatterDevice, type MatterDevice } from './peers/matter-device.js';

await lib.ready();

async function commissioner(host: string) {
  const sessions = await lib.SessionManager.create({});
  const exchanges = new lib.ExchangeManager(sessions);
  const udp = await lib.UdpTransport.bind({ host });
  udp.onDatagram((d, c) => exchanges.receive(d, c));
  return { sessions, exchanges, udp, close: async () => { exchanges.close(); await udp.close(); await sessions.close(); } };
}

describe('interop with a matter.js device', { timeout: 120_000 }, () => {
  let device: MatterDevice;
  const vendorName = `Vendor ${Math.random().toString(36).slice(2, 10)}`;
  const passcode = randomPasscode();

  before(async () => {
    device = await startMatterDevice({ passcode, discriminator: 0xf00 + Math.floor(Math.random() * 0xff), vendorName });
  });
  after(async () => {
    await device?.stop();
  });

  it('pairs by PASE over UDP, reads VendorName, closes the session', async () => {
    const c = await commissioner('127.0.0.1');
    try {
      const started = performance.now();
      const session = await lib.establishPase(c.exchanges, c.udp.channelTo(device.host, device.port), { passcode });
      const paired = performance.now();
      assert.equal(session.kind, 'pase');
      assert.equal(session.peerParameters.idleInterval, device.sessionParameters?.idleInterval ?? 500);
      const value = await lib.readAttribute(c.exchanges, session, lib.parseAttributePath('0/0x28/1'));
      assert.equal(lib.tlvToPlainValue(value), vendorName);
      await lib.closeSession(c.exchanges, session);
      assert.equal(session.closed, true);
      console.log(`# paired with the matter.js device in ${(paired - started).toFixed(1)} ms`);
    } finally {
      await c.close();
    }
  });

  it('a wrong passcode is refused and leaves no session', async () => {
    const c = await commissioner('127.0.0.1');
    try {
      await assert.rejects(lib.establishPase(c.exchanges, c.udp.channelTo(device.host, device.port), { passcode: passcode === 11223344 ? 11223345 : 11223344 }),
        (e: unknown) => e instanceof lib.PaseError && e.failure === 'wrong-passcode');
      assert.equal(c.sessions.sessionCount, 0);
    } finally {
      await c.close();
    }
  });

  it('the CLI pairs, reads VendorName, closes, and prints one JSON object', async () => {
    const { stdout } = await promisify(execFile)(process.execPath,
      ['dist/cli/main.js', 'pair', '--udp', `${device.host}:${device.port}`, '--passcode', String(passcode), '--read', '0/0x28/1'],
      { timeout: 60_000 });
    const result = JSON.parse(stdout);
    assert.equal(result.value, vendorName);
    assert.ok(result.localSessionId >= 1 && result.peerSessionId >= 1);
    assert.ok(result.timings.pairMs > 0 && result.timings.readMs > 0 && result.timings.totalMs >= result.timings.pairMs);
  });

  it('the CLI reports a wrong passcode on stderr with a non-zero exit', async () => {
    await assert.rejects(promisify(execFile)(process.execPath,
      ['dist/cli/main.js', 'pair', '--udp', `${device.host}:${device.port}`, '--passcode', '11223346'], { timeout: 60_000 }),
      (e: { code?: number; stderr?: string }) => e.code === 1 && /wrong passcode/.test(e.stderr ?? ''));
  });
});

describe('interop with a matter.js device on IPv6', { timeout: 120_000 }, () => {
  it('pairs over [::1] and reads VendorName', async () => {
    const passcode = randomPasscode();
    const device = await startMatterDevice({ passcode, discriminator: 0xabc, vendorName: 'IPv6 Vendor', host: '::1' });
    const c = await commissioner('::1');
    try {
      const session = await lib.establishPase(c.exchanges, c.udp.channelTo('::1', device.port), { passcode });
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(c.exchanges, session, { endpoint: 0, cluster: 0x28, attribute: 1 })), 'IPv6 Vendor');
      await lib.closeSession(c.exchanges, session);
    } finally {
      await c.close();
      await device.stop();
    }
  });
});
