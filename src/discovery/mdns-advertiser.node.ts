// Publishes a node's DNS-SD services on multicast DNS (Matter Core spec §4.3 over RFC 6762/6763) with
// @homebridge/ciao, a maintained RFC-compliant responder: it probes each name, announces, answers queries (with
// known-answer suppression), resolves name conflicts and sends goodbye packets when a service ends. Node only
// (ciao binds UDP 5353 through node:dgram); the library is imported when the first advertiser starts, so an edge
// without MDNS never loads it.
import { networkInterfaces } from 'node:os';
import type { MatterDeviceNode } from '../device/matter-device-node.js';
import type { DnssdService } from './dnssd-service.js';
import { upperHex } from './dnssd-service.js';
import { NodeDiscovery, type NodeDiscoveryOptions } from './node-discovery.js';

type Ciao = typeof import('@homebridge/ciao');
type Responder = ReturnType<Ciao['getResponder']>;
type CiaoService = ReturnType<Responder['createService']>;

export interface MdnsAdvertiserOptions {
  /** The UDP port the node listens on (the SRV record's port). */
  port: number;
  /** Interface name(s) or address(es) to advertise on (default: every interface with multicast). */
  interface?: string | string[];
  /** The SRV target host label (default: §4.3.1 style, the first interface's MAC in 12 uppercase hex digits). */
  hostname?: string;
  /** Errors of background publishing (a failed probe...). Default: console.error. */
  onError?: (error: unknown) => void;
}

/**
 * Host names held by services of this process. ciao shares one responder between advertisers with the same
 * options, and its prober takes a second service on a host name already held as a conflict (renaming the
 * instance too): every service in the process gets a host name of its own.
 */
const hostnamesInUse = new Set<string>();

interface Published { service: CiaoService; key: string; subtypes: string; txt: string; hostname: string }

/** Keeps a set of DnssdService published: `publish` adds what is new, updates changed TXT, ends what is gone. */
export class MdnsAdvertiser {
  readonly #published = new Map<string, Published>();
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(private readonly responder: Responder, private readonly options: MdnsAdvertiserOptions & { hostname: string }) {}

  static async start(options: MdnsAdvertiserOptions): Promise<MdnsAdvertiser> {
    if (typeof options !== 'object' || options === null) throw new TypeError('mdns: expected an options object');
    const port = options.port;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`mdns.port: expected 1 to 65535, got ${String(port)}`);
    const hostname = options.hostname ?? defaultHostname();
    if (!/^[A-Za-z0-9-]{1,63}$/.test(hostname)) throw new RangeError(`mdns.hostname: expected one DNS label (letters, digits, '-'), got "${hostname}"`);
    const ciao = await import('@homebridge/ciao');
    const getResponder = (ciao.getResponder ?? (ciao as unknown as { default: Ciao }).default.getResponder) as Ciao['getResponder'];
    const responder = getResponder(options.interface !== undefined ? { interface: options.interface } : {});
    return new MdnsAdvertiser(responder, { ...options, hostname });
  }

  /** The services published now, as `<instance>.<type>` names (as the responder holds them after any conflict). */
  get names(): string[] {
    return [...this.#published.values()].map((p) => p.service.getFQDN().replace(/\.local\.$/, ''));
  }

  /** Publishes exactly `services` (in the background order of calls); resolves when the change is announced. */
  publish(services: readonly DnssdService[]): Promise<void> {
    const next = this.#queue.then(() => this.#apply(services));
    this.#queue = next.catch((error) => this.#report(error));
    return next;
  }

  async #apply(services: readonly DnssdService[]): Promise<void> {
    if (this.#closed) return;
    const wanted = new Map(services.map((s) => [`${s.instance}.${s.type}`, s]));
    for (const [key, entry] of this.#published) {
      const service = wanted.get(key);
      if (service && JSON.stringify(service.subtypes) === entry.subtypes) continue;
      // Gone, or its subtypes changed (ciao fixes them at creation): goodbye packets, then forget it.
      await this.#end(entry);
    }
    for (const [key, service] of wanted) {
      const entry = this.#published.get(key);
      const txt = JSON.stringify(service.txt);
      if (entry) {
        if (entry.txt !== txt) {
          entry.service.updateTxt(service.txt);
          entry.txt = txt;
        }
        continue;
      }
      const [type, protocol] = service.type.replace(/^_/, '').split('._') as [string, string];
      const hostname = this.#freeHostname();
      const created = this.responder.createService({
        name: service.instance, type, protocol: protocol as never,
        subtypes: service.subtypes.map((s) => s.replace(/^_/, '')),
        port: this.options.port, hostname, txt: service.txt,
      });
      // RFC 6762 §9: another responder already holds the name; ciao picks "<name> (2)". A Matter instance name
      // is unique by construction (random, or fabric and node id), so this means a duplicate node: say so.
      created.on('name-change', (name: string) => this.#report(new Error(`mdns: "${key}" was taken on the network; advertised as "${name}"`)));
      this.#published.set(key, { service: created, key, subtypes: JSON.stringify(service.subtypes), txt, hostname });
      await created.advertise();
    }
  }

  /** The base host name if free, else `<base>-1`, `<base>-2`...: each names the same addresses. */
  #freeHostname(): string {
    for (let n = 0; ; n++) {
      const name = n === 0 ? this.options.hostname : `${this.options.hostname}-${n}`;
      if (!hostnamesInUse.has(name)) {
        hostnamesInUse.add(name);
        return name;
      }
    }
  }

  async #end(entry: Published): Promise<void> {
    this.#published.delete(entry.key);
    try {
      await entry.service.end();
      await entry.service.destroy();
    } finally {
      hostnamesInUse.delete(entry.hostname);
    }
  }

  #report(error: unknown): void {
    (this.options.onError ?? ((e) => console.error('mdns:', e)))(error);
  }

  /** Ends every service (goodbye packets) and closes the responder's sockets. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#queue;
    this.#closed = true;
    for (const entry of [...this.#published.values()]) await this.#end(entry).catch(() => {});
    await this.responder.shutdown();
  }
}

export interface NodeAdvertisement {
  readonly advertiser: MdnsAdvertiser;
  /** Resolves once the latest change of the node is published. */
  readonly settled: Promise<void>;
  close(): Promise<void>;
}

/**
 * Advertises `node` (commissionable while its window is open, operational per fabric) and follows its changes
 * until closed.
 */
export async function advertiseNode(node: MatterDeviceNode, options: MdnsAdvertiserOptions & NodeDiscoveryOptions): Promise<NodeAdvertisement> {
  const advertiser = await MdnsAdvertiser.start(options);
  const discovery = new NodeDiscovery(node, options);
  let settled = advertiser.publish(discovery.services()).catch(() => {});
  const stop = node.onDiscoveryChange(() => {
    settled = advertiser.publish(discovery.services()).catch(() => {});
  });
  await settled;
  return {
    advertiser,
    get settled() { return settled; },
    close: async () => {
      stop();
      await advertiser.close();
    },
  };
}

/** §4.3.1: the host name is a link-layer address in uppercase hex; random bytes where no interface has one. */
function defaultHostname(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    const mac = addresses?.find((a) => !a.internal && a.mac && a.mac !== '00:00:00:00:00:00')?.mac;
    if (mac) return mac.replaceAll(':', '').toUpperCase();
  }
  return upperHex(globalThis.crypto.getRandomValues(new Uint8Array(8)));
}
