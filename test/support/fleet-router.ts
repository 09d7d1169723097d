// A round-robin HTTP balancer in front of a two-instance edge fleet, as a fetch for edgeControllerTransport: each
// controller request goes to instance A or B (by plan, else alternating, else pinned), so a test decides where
// every message of a handshake or a commissioning lands, and can drop or alter one.

/** Where controllers address the fleet; the router replaces it with an instance's URL. */
export const VIRTUAL = 'http://fleet.test';

/** The secure-channel opcode of an unsecured message (session id 0), else undefined. */
export function unsecuredOpcode(message: Uint8Array): number | undefined {
  if (message[1] !== 0 || message[2] !== 0) return undefined;
  const flags = message[0]!;
  const offset = 8 + (flags & 0x04 ? 8 : 0) + [0, 8, 2, 0][flags & 0x03]!;
  return message[offset + 1];
}

export const contains = (haystack: Uint8Array, needle: Uint8Array): boolean =>
  Buffer.from(haystack).indexOf(Buffer.from(needle)) !== -1;

export type Target = 'a' | 'b';
export interface Sent { to: Target; body: Uint8Array; reply?: Uint8Array }

export class Router {
  readonly log: Sent[] = [];
  plan: Target[] = [];
  mode: Target | 'alternate' = 'a';
  #turn = 0;
  /** Runs before a request leaves; 'drop' makes it fail as if the network lost it; bytes replace its body. */
  beforeSend: ((sent: Sent) => Promise<void | 'drop' | Uint8Array> | void | 'drop' | Uint8Array) | undefined;

  constructor(private readonly urls: Record<Target, string>) {}

  alternate(first: Target): void {
    this.mode = 'alternate';
    this.#turn = first === 'a' ? 0 : 1;
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const to: Target = this.plan.shift() ?? (this.mode === 'alternate' ? (this.#turn++ % 2 === 0 ? 'a' : 'b') : this.mode);
    const sent: Sent = { to, body: new Uint8Array(init!.body as Uint8Array) };
    this.log.push(sent);
    const altered = await this.beforeSend?.(sent);
    if (altered === 'drop') throw new TypeError('fetch failed: dropped by the test');
    if (altered instanceof Uint8Array) init = { ...init, body: altered as Uint8Array<ArrayBuffer> };
    const response = await fetch(String(input).replace(VIRTUAL, this.urls[to]), init);
    if (response.status !== 200) return response;
    sent.reply = new Uint8Array(await response.arrayBuffer());
    return new Response(sent.reply.slice(), { status: 200 });
  };

  /** The instances the unsecured messages went to, with their opcodes, in order. */
  handshake(since: number): Array<[number | undefined, Target]> {
    return this.log.slice(since).filter((s) => unsecuredOpcode(s.body) !== undefined).map((s) => [unsecuredOpcode(s.body), s.to]);
  }
}
