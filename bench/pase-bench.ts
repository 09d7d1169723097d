// PASE: handshakes per second between our commissioner and our device in one process (1000 PBKDF iterations, each
// side deriving from the passcode as it would), and the time to pair with a matter.js device over UDP loopback.
import { closeSession, establishPase, ExchangeManager, PaseResponder, SessionManager, UdpTransport } from '../src/node.js';
import { memoryLink } from '../test/support/memory-link.js';
import { randomPasscode, startMatterDevice } from '../test/peers/matter-device.js';
import { median } from './measure.js';

const PASSCODE = 20202021;

export async function paseHandshakesPerSecond(seconds = 3): Promise<{ handshakes: number; perSecond: number; medianMs: number }> {
  const link = memoryLink(true); // in memory and reliable: the figure is the handshake's own cost, not MRP timers
  const commissioner = await SessionManager.create({}), device = await SessionManager.create({});
  const ce = new ExchangeManager(commissioner), de = new ExchangeManager(device);
  link.a.receiver = (d, c) => ce.receive(d, c);
  link.b.receiver = (d, c) => de.receive(d, c);
  new PaseResponder(de, { passcode: PASSCODE, iterations: 1000 });
  const times: number[] = [];
  const start = performance.now();
  for (let warm = 0; warm < 3; warm++) await closeSession(ce, await establishPase(ce, link.a, { passcode: PASSCODE }));
  const measured = performance.now();
  while (performance.now() - measured < seconds * 1000) {
    const t = performance.now();
    const session = await establishPase(ce, link.a, { passcode: PASSCODE });
    times.push(performance.now() - t);
    await closeSession(ce, session);
  }
  const elapsed = (performance.now() - measured) / 1000;
  void start;
  ce.close(); de.close();
  await commissioner.close(); await device.close();
  return { handshakes: times.length, perSecond: times.length / elapsed, medianMs: median(times) };
}

export async function pairWithMatterJs(runs = 10): Promise<{ runs: number; medianMs: number; minMs: number; maxMs: number }> {
  const passcode = randomPasscode();
  const device = await startMatterDevice({ passcode, discriminator: 0x123, vendorName: 'Bench Vendor' });
  const sessions = await SessionManager.create({});
  const exchanges = new ExchangeManager(sessions);
  const udp = await UdpTransport.bind({ host: '127.0.0.1' });
  udp.onDatagram((d, c) => exchanges.receive(d, c));
  const times: number[] = [];
  try {
    for (let n = 0; n < runs; n++) {
      const t = performance.now();
      const session = await establishPase(exchanges, udp.channelTo(device.host, device.port), { passcode });
      times.push(performance.now() - t);
      await closeSession(exchanges, session);
    }
  } finally {
    exchanges.close();
    await udp.close();
    await sessions.close();
    await device.stop();
  }
  return { runs, medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times) };
}
