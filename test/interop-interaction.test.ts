// Invoke and Subscribe against a Matter device nobody here wrote: the matter.js On/Off Light of test/peers/, over a
// PASE session on UDP loopback. Toggle (1/0x0006/0x02) flips OnOff (1/0x0006/0x0000), read back; a subscription to
// OnOff primes with the current value and reports the change a Toggle makes; ArmFailSafe answers its typed response,
// and disarming it ends the PASE session on the device's side.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as lib from '../src/node.js';
import { randomPasscode, startMatterDevice, type MatterDevice } from './peers/matter-device.js';

await lib.ready();

async function commissioner() {
  const sessions = await lib.SessionManager.create({});
  const exchanges = new lib.ExchangeManager(sessions);
  const udp = await lib.UdpTransport.bind({ host: '127.0.0.1' });
  udp.onDatagram((d, c) => exchanges.receive(d, c));
  return { sessions, exchanges, udp, close: async () => { exchanges.close(); await udp.close(); await sessions.close(); } };
}

const onOffAttribute = { endpoint: 1, cluster: lib.OnOffCluster.id, attribute: lib.OnOffCluster.attributes.onOff.id };

describe('interop: invoke and subscribe on a matter.js device over PASE', { timeout: 120_000 }, () => {
  let device: MatterDevice;
  const passcode = randomPasscode();

  before(async () => {
    device = await startMatterDevice({ passcode, discriminator: 0x100 + Math.floor(Math.random() * 0xe00), vendorName: 'Interop IM' });
  });
  after(async () => {
    await device?.stop();
  });

  it('Toggle flips OnOff, read back; ArmFailSafe answers ArmFailSafeResponse(Ok)', async (t) => {
    const c = await commissioner();
    try {
      const session = await lib.establishPase(c.exchanges, c.udp.channelTo(device.host, device.port), { passcode });
      const before = lib.tlvToPlainValue(await lib.readAttribute(c.exchanges, session, onOffAttribute));
      assert.equal(typeof before, 'boolean');
      const invokeStarted = performance.now();
      assert.deepStrictEqual(await lib.invoke(c.exchanges, session, { endpoint: 1, ...lib.onOff.toggle() }), {});
      t.diagnostic(`Toggle invoked in ${(performance.now() - invokeStarted).toFixed(1)} ms`);
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(c.exchanges, session, onOffAttribute)), !before);
      await lib.invoke(c.exchanges, session, { endpoint: 1, ...lib.onOff.off() });
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(c.exchanges, session, onOffAttribute)), false);
      await assert.rejects(lib.invoke(c.exchanges, session, { endpoint: 1, cluster: 6, command: 0x77 }), (e: unknown) =>
        e instanceof lib.InteractionStatusError && e.status === lib.InteractionModelStatus.unsupportedCommand);
      const armed = await lib.invokeCommand(c.exchanges, session, 0, lib.GeneralCommissioningCluster.commands.armFailSafe,
        { expiryLengthSeconds: 60, breadcrumb: 1n });
      assert.equal(armed.errorCode, lib.CommissioningErrorCode.ok);
      // Disarming (expiry 0) expires the fail-safe at once, and matter.js then ends the PASE session without a
      // CloseSession: our next request goes unanswered until reliable messaging gives up.
      const disarmed = await lib.invokeCommand(c.exchanges, session, 0, lib.GeneralCommissioningCluster.commands.armFailSafe,
        { expiryLengthSeconds: 0, breadcrumb: 0n });
      assert.equal(disarmed.errorCode, lib.CommissioningErrorCode.ok);
      await assert.rejects(lib.readAttribute(c.exchanges, session, onOffAttribute), lib.RetransmissionLimitError);
    } finally {
      await c.close();
    }
  });

  it('a subscription to OnOff primes with its value and reports the change a Toggle makes', async (t) => {
    const c = await commissioner();
    try {
      const session = await lib.establishPase(c.exchanges, c.udp.channelTo(device.host, device.port), { passcode });
      const subscription = await lib.subscribe(c.exchanges, session, [onOffAttribute], { minIntervalFloorSeconds: 0, maxIntervalCeilingSeconds: 30 });
      assert.ok(subscription.maxInterval >= 2 && subscription.maxInterval <= 40, `MaxInterval ${subscription.maxInterval}`);
      const primed = subscription.priming.find((r) => r.path.attribute === 0);
      assert.ok(primed?.data, 'the priming report carries OnOff');
      const before = lib.tlvToPlainValue(primed.data);
      const reports = subscription[Symbol.asyncIterator]();
      const toggled = performance.now();
      await lib.invoke(c.exchanges, session, { endpoint: 1, ...lib.onOff.toggle() });
      let after: unknown;
      for (let i = 0; i < 5 && after === undefined; i++) {
        const next: IteratorResult<lib.AttributeReport[]> = await reports.next();
        const report = next.value?.find((r: lib.AttributeReport) => r.path.cluster === 6 && r.path.attribute === 0 && r.data);
        if (report) after = lib.tlvToPlainValue(report.data!);
      }
      assert.equal(after, !before, 'the report carries the toggled value');
      t.diagnostic(`MaxInterval ${subscription.maxInterval} s; the change report arrived ${(performance.now() - toggled).toFixed(1)} ms after the Toggle was sent`);
      subscription.cancel();
      await lib.closeSession(c.exchanges, session);
    } finally {
      await c.close();
    }
  });
});
