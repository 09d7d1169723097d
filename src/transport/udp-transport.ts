// Matter over UDP for Node (spec "UDP"): one socket, one channel per peer address. A channel to a peer exists from
// the first datagram either way, so a responder can answer; closing the transport closes every channel, and with
// them every session bound to one.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { MessageChannel } from '../protocol/message-channel.js';
import { CloseSignal } from '../session/session-channel.js';

/** Matter's IPv6 minimum MTU minus IP and UDP headers: no datagram may be larger (spec "Message Size"). */
export const MAX_UDP_MESSAGE = 1280;

export interface UdpTransportOptions {
  /** Address to bind: '127.0.0.1', '::1', '::' ... Default '::' (all interfaces, dual-stack where the OS allows). */
  host?: string;
  /** 0 (default) lets the OS pick. Matter devices use 5540. */
  port?: number;
}

export class UdpPeerChannel implements MessageChannel {
  readonly reliable = false;
  readonly name: string;
  readonly #closing = new CloseSignal();

  constructor(private readonly transport: UdpTransport, readonly host: string, readonly port: number) {
    this.name = `udp:${isIPv6(host) ? `[${host}]` : host}:${port}`;
  }

  get closed(): boolean {
    return this.#closing.closed;
  }

  send(datagram: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.name}: channel closed`));
    return this.transport.sendTo(datagram, this.host, this.port);
  }

  onClose(listener: (error?: unknown) => void): () => void {
    return this.#closing.on(listener);
  }

  /** Closes this peer's channel (its sessions close); the socket stays open for other peers. */
  close(error?: unknown): void {
    if (!this.closed) this.transport.forget(this);
    this.#closing.fire(error);
  }
}

export class UdpTransport {
  readonly #socket: Socket;
  readonly #channels = new Map<string, UdpPeerChannel>();
  #onDatagram: ((datagram: Uint8Array, channel: UdpPeerChannel) => void) | undefined;
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('message', (datagram: Buffer, remote: RemoteInfo) => {
      if (datagram.length > MAX_UDP_MESSAGE) return;
      const bytes = new Uint8Array(datagram.buffer, datagram.byteOffset, datagram.length);
      this.#onDatagram?.(bytes, this.channelTo(remote.address, remote.port));
    });
    socket.on('error', (error) => this.#closeAll(error));
  }

  static async bind(options: UdpTransportOptions = {}): Promise<UdpTransport> {
    const host = options.host ?? '::';
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port ?? 0, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new UdpTransport(socket);
  }

  get address(): { host: string; port: number } {
    const { address, port } = this.#socket.address();
    return { host: address, port };
  }

  /** Where received datagrams go, with the channel of the peer that sent them. */
  onDatagram(handler: (datagram: Uint8Array, channel: UdpPeerChannel) => void): void {
    this.#onDatagram = handler;
  }

  /** The channel to a peer (one per address and port). */
  channelTo(host: string, port: number): UdpPeerChannel {
    if (this.#closed) throw new Error('UdpTransport: closed');
    const key = `${host}|${port}`;
    let channel = this.#channels.get(key);
    if (!channel) this.#channels.set(key, (channel = new UdpPeerChannel(this, host, port)));
    return channel;
  }

  /** @internal */
  sendTo(datagram: Uint8Array, host: string, port: number): Promise<void> {
    if (datagram.length > MAX_UDP_MESSAGE) {
      return Promise.reject(new RangeError(`datagram: at most ${MAX_UDP_MESSAGE} bytes over UDP, got ${datagram.length}`));
    }
    return new Promise((resolve, reject) => {
      this.#socket.send(datagram, port, host, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** @internal */
  forget(channel: UdpPeerChannel): void {
    const key = `${channel.host}|${channel.port}`;
    if (this.#channels.get(key) === channel) this.#channels.delete(key);
  }

  #closeAll(error?: unknown): void {
    for (const channel of [...this.#channels.values()]) channel.close(error);
  }

  /** Closes every peer channel, then the socket. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeAll();
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }
}
