// PASE: handshakes per second between our commissioner and our device in one process (1000 PBKDF iterations, each
// side deriving from the passcode as it would), and the time to pair with a matter.js device over UDP loopback.
import { closeSession, establishPase, ExchangeManager, PaseResponder, SessionManager, UdpTransport } from '../src/node.js';
import type { MessageChannel } from '../src/index.js';
import { p256Backend, useNativeP256 } from '../src/crypto/p256-native.js';
import { randomPasscode, startMatterDevice } from '../test/peers/matter-device.js';
import { median } from './measure.js';

const PASSCODE = 20202021;

// Two in-memory ends that deliver on the next turn of the event loop (setImmediate): reliable, so no MRP timers, and
// no artificial latency, so the figure is the handshake's own cost (the tests' memory link waits 1 ms per datagram).
class ImmediateEnd implements MessageChannel {
  readonly reliable = true;
  peer!: ImmediateEnd;
  receiver: ((datagram: Uint8Array, channel: ImmediateEnd) => void) | undefined;
  constructor(readonly name: string) {}
  send(datagram: Uint8Array): void {
    const copy = datagram.slice();
    setImmediate(() => this.peer.receiver?.(copy, this.peer));
  }
  onClose(): () => void {
    return () => {};
  }
}

function immediateLink(): { a: ImmediateEnd; b: ImmediateEnd } {
  const a = new ImmediateEnd('bench:a'), b = new ImmediateEnd('bench:b');
  a.peer = b;
  b.peer = a;
  return { a, b };
}

export interface PaseRate { backend: string; handshakes: number; perSecond: number; medianMs: number }

/** Handshakes per second with the P-256/PBKDF2 backend the runtime picks, and with @noble only, side by side. */
export async function paseBothBackends(seconds = 3): Promise<PaseRate[]> {
  const rates: PaseRate[] = [];
  for (const native of [true, false]) {
    useNativeP256(native);
    try {
      rates.push({ backend: p256Backend(), ...await paseHandshakesPerSecond(seconds) });
    } finally {
      useNativeP256(true);
    }
  }
  return rates;
}

export async function paseHandshakesPerSecond(seconds = 3): Promise<{ handshakes: number; perSecond: number; medianMs: number }> {
  const link = immediateLink();
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
