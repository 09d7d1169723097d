// One BTP session over one GATT connection (Matter Core spec "Bluetooth Transport Protocol"), as a MessageChannel:
// whole Matter messages in and out, cut into sequenced segments with acknowledgements and a receive window below.
// The GATT side stays abstract (BtpGattLink) so the same session serves a Web Bluetooth central in a browser and a
// peripheral in Node. BTP is reliable: it delivers in order or closes, so no MRP timers run over it.
import type { MessageChannel } from '../../protocol/message-channel.js';
import {
  ATT_HEADER_SIZE, BTP_VERSION, BtpTimeout, DEFAULT_WINDOW_SIZE, MAX_FRAGMENT_SIZE, MAX_WINDOW_SIZE,
  MIN_FRAGMENT_SIZE, MIN_WINDOW_SIZE,
} from './btp-constants.js';
import {
  decodeHandshakeRequest, decodeHandshakeResponse, decodePacket, encodeHandshakeRequest, encodeHandshakeResponse,
  encodePacket,
} from './btp-codec.js';
import { BtpClosedError, BtpProtocolError, BtpTimeoutError } from './btp-errors.js';
import { BtpFlow } from './btp-flow.js';
import { OutgoingMessage, Reassembler } from './btp-segments.js';
import { BtpTimerHandle } from './btp-timer.js';

/** The GATT connection under a session. The owner feeds every value received to `session.receivePacket`. */
export interface BtpGattLink {
  /**
   * Sends one BTP packet: a central writes it to C1, a peripheral indicates it on C2. Resolves when the GATT
   * operation completed; the session never starts a second write before the first settled.
   */
  write(packet: Uint8Array): Promise<void>;
  /** Called once when the session closes: release or disconnect the GATT connection. */
  close?(): void;
}

export interface BtpTimerOptions {
  /** Central: handshake response due after the request; peripheral: subscription due after the request. 15 s. */
  handshakeTimeoutMs?: number;
  /** A packet of ours unacknowledged this long closes the session with BtpTimeoutError('ack'). 15 s. */
  ackTimeoutMs?: number;
  /** An ack we owe goes out on its own after this unless a segment carried it first. 2.5 s. */
  sendAckDelayMs?: number;
  /** Closes the session with BtpTimeoutError('idle') after this long without a data segment either way. Off. */
  idleTimeoutMs?: number;
}

export interface BtpSessionOptions extends BtpTimerOptions {
  /** Receives each reassembled Matter message, in order (typically `(m, s) => exchanges.receive(m, s)`). */
  onMessage(message: Uint8Array, session: BtpSession): void;
  /** Our receive window (3-255, default 6); the peripheral settles on the smaller of both sides'. */
  windowSize?: number;
  /** Largest packet we send (20-244, default 244). */
  maxFragmentSize?: number;
  /** Channel name for logs; default "btp:central" / "btp:peripheral". */
  name?: string;
}

export interface BtpCentralOptions extends BtpSessionOptions {
  /** The ATT MTU, if known; 0 (default) when not (Web Bluetooth does not expose it). */
  mtu?: number;
  /**
   * Subscribes to C2 (indications), called once the handshake request was written. Feed every C2 value to
   * `session.receivePacket` from here on: the handshake response arrives before connectAsCentral resolves.
   */
  subscribe(session: BtpSession): Promise<void>;
}

export interface BtpPeripheralOptions extends BtpSessionOptions {
  /** The ATT MTU our GATT server negotiated, used when the central announced 0. */
  mtu?: number;
}

export type BtpRole = 'central' | 'peripheral';

/** Settles whoever waits for a packet to be written. */
interface Settler {
  resolve(): void;
  reject(error: unknown): void;
}

interface PendingSend extends Settler {
  readonly segments: OutgoingMessage;
}

interface Deferred extends Settler {
  readonly promise: Promise<void>;
}

function deferred(): Deferred {
  let resolve!: () => void, reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  promise.catch(() => {}); // whoever awaits it sees the rejection; nobody awaiting is not an error
  return { promise, resolve, reject };
}

function checkRange(value: number, what: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${what} must be ${min}-${max}: ${value}`);
  return value;
}

const EMPTY = new Uint8Array(0);

export class BtpSession implements MessageChannel {
  readonly reliable = true;
  readonly name: string;
  readonly version = BTP_VERSION;

  readonly #link: BtpGattLink;
  readonly #onMessage: (message: Uint8Array, session: BtpSession) => void;
  readonly #maxFragmentSize: number;
  /** Largest packet we send; `#receiveFragmentSize` the largest we accept. Both settle in the handshake. */
  #sendFragmentSize = MIN_FRAGMENT_SIZE;
  #receiveFragmentSize = MIN_FRAGMENT_SIZE;
  #windowSize: number;

  /** Present while the session is open (after the handshake, until closed). */
  #flow: BtpFlow | undefined;
  #closed = false;
  #closeError: unknown;
  readonly #closeListeners = new Set<(error?: unknown) => void>();

  readonly #queue: PendingSend[] = [];
  #writing: Settler | undefined;
  #pumping = false;
  readonly #reassembler = new Reassembler();

  readonly #handshakeTimer: BtpTimerHandle;
  readonly #ackReceivedTimer: BtpTimerHandle;
  readonly #sendAckTimer: BtpTimerHandle;
  readonly #idleTimer: BtpTimerHandle | undefined;
  /** Central: settles with the handshake. Peripheral: settles when the response was written. */
  readonly #handshake = deferred();
  /** Peripheral: the response, until the pump writes it as the first packet. */
  #handshakeResponse: Uint8Array | undefined;

  private constructor(readonly role: BtpRole, link: BtpGattLink, options: BtpSessionOptions) {
    this.#link = link;
    this.#onMessage = options.onMessage;
    this.name = options.name ?? `btp:${role}`;
    this.#maxFragmentSize = checkRange(options.maxFragmentSize ?? MAX_FRAGMENT_SIZE, 'maxFragmentSize', MIN_FRAGMENT_SIZE, MAX_FRAGMENT_SIZE);
    this.#windowSize = checkRange(options.windowSize ?? DEFAULT_WINDOW_SIZE, 'windowSize', MIN_WINDOW_SIZE, MAX_WINDOW_SIZE);
    const handshakeMs = options.handshakeTimeoutMs ?? BtpTimeout.handshakeMs;
    const ackMs = options.ackTimeoutMs ?? BtpTimeout.ackReceivedMs;
    this.#handshakeTimer = new BtpTimerHandle(handshakeMs, () => this.close(new BtpTimeoutError('handshake', handshakeMs)));
    this.#ackReceivedTimer = new BtpTimerHandle(ackMs, () => this.close(new BtpTimeoutError('ack', ackMs)));
    this.#sendAckTimer = new BtpTimerHandle(options.sendAckDelayMs ?? BtpTimeout.sendAckMs, () => {
      this.#flow?.requestAck();
      void this.#pump();
    });
    const idleMs = options.idleTimeoutMs;
    this.#idleTimer = idleMs === undefined ? undefined : new BtpTimerHandle(idleMs, () => this.close(new BtpTimeoutError('idle', idleMs)));
  }

  /**
   * Opens a session as the central (commissioner): writes the handshake request, subscribes to C2, and resolves
   * once the peripheral's handshake response arrived (fed through `receivePacket`). Rejects with
   * BtpTimeoutError('handshake'), BtpProtocolError (bad response), or the link's error; the session is then closed.
   */
  static async connectAsCentral(link: BtpGattLink, options: BtpCentralOptions): Promise<BtpSession> {
    const session = new BtpSession('central', link, options);
    const request = encodeHandshakeRequest({
      versions: [BTP_VERSION],
      attMtu: checkRange(options.mtu ?? 0, 'mtu', 0, 0xffff),
      windowSize: session.#windowSize,
    });
    session.#handshakeTimer.start();
    try {
      await link.write(request);
      if (!session.#closed) await options.subscribe(session);
    } catch (error) {
      session.close(error);
    }
    await session.#handshake.promise;
    return session;
  }

  /**
   * Takes a central's handshake request (its first write on C1) as the peripheral (device). The handshake response
   * goes out when the owner calls `subscribed()`. Throws BtpProtocolError for a malformed request or one without
   * BTP version 4; the owner then drops the connection.
   */
  static acceptAsPeripheral(link: BtpGattLink, handshakeRequest: Uint8Array, options: BtpPeripheralOptions): BtpSession {
    const request = decodeHandshakeRequest(handshakeRequest);
    if (!request.versions.includes(BTP_VERSION)) {
      throw new BtpProtocolError(`no common BTP version: the central offers ${request.versions.join(', ')}`);
    }
    const session = new BtpSession('peripheral', link, options);
    const windowSize = Math.min(request.windowSize, session.#windowSize);
    if (windowSize < MIN_WINDOW_SIZE) throw new BtpProtocolError(`the central's window of ${request.windowSize} is too small`);
    // The central's MTU observation wins; ours is the fallback (SDK BLEEndPoint::HandleCapabilitiesRequestReceived).
    const mtu = request.attMtu || checkRange(options.mtu ?? 0, 'mtu', 0, 0xffff);
    const fragmentSize = mtu === 0
      ? MIN_FRAGMENT_SIZE
      : Math.max(MIN_FRAGMENT_SIZE, Math.min(mtu - ATT_HEADER_SIZE, session.#maxFragmentSize));
    session.#windowSize = windowSize;
    session.#sendFragmentSize = session.#receiveFragmentSize = fragmentSize;
    session.#handshakeResponse = encodeHandshakeResponse({ version: BTP_VERSION, fragmentSize, windowSize });
    session.#handshakeTimer.start();
    return session;
  }

  /** Largest packet this session sends. */
  get fragmentSize(): number {
    return this.#sendFragmentSize;
  }

  /** The receive window both sides use. */
  get windowSize(): number {
    return this.#windowSize;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Peripheral: the central subscribed to C2, so send the handshake response. The session is open from here on
   * (the central may write before our indication is confirmed); resolves once the response was indicated, rejects
   * if the session closed first or the indication failed. Repeated calls share the outcome.
   */
  subscribed(): Promise<void> {
    if (this.role !== 'peripheral') return Promise.reject(new Error('only a peripheral learns of subscriptions'));
    if (!this.#closed && this.#flow === undefined) {
      // The response will be our sequence number 0, acknowledged like any other packet.
      this.#open(new BtpFlow(this.#windowSize, { sent: 1, received: 0 }));
      this.#ackReceivedTimer.start();
      void this.#pump();
    }
    return this.#handshake.promise;
  }

  /** Takes one value the peer wrote (peripheral) or indicated (central). Protocol errors close the session. */
  receivePacket(bytes: Uint8Array): void {
    if (this.#closed) return;
    let message: Uint8Array | undefined;
    try {
      if (this.#flow !== undefined) message = this.#acceptPacket(this.#flow, bytes);
      else if (this.role === 'central') this.#acceptHandshakeResponse(bytes);
      else throw new BtpProtocolError('a packet arrived before the handshake response was sent');
    } catch (error) {
      this.close(error);
      return;
    }
    try {
      if (message !== undefined) this.#onMessage(message, this);
    } finally {
      void this.#pump();
    }
  }

  /**
   * Queues one Matter message (1-1232 bytes). Resolves when its last segment was written to the link (BTP acks
   * are not awaited: the session closes if they fail to come). Rejects with RangeError for a bad size and with
   * BtpClosedError if the session closes first.
   */
  send(message: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new BtpClosedError(this.#closeError));
    let segments: OutgoingMessage;
    try {
      segments = new OutgoingMessage(message.slice());
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ segments, resolve, reject });
      void this.#pump();
    });
  }

  onClose(listener: (error?: unknown) => void): () => void {
    if (this.#closed) {
      queueMicrotask(() => listener(this.#closeError));
      return () => {};
    }
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  /**
   * Closes the session once (later calls do nothing): stops every timer, rejects pending sends with
   * BtpClosedError (cause: `error`), tells the onClose listeners (`error` undefined for an orderly close), then
   * releases the link.
   */
  close(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#flow = undefined;
    this.#closeError = error;
    for (const timer of [this.#handshakeTimer, this.#ackReceivedTimer, this.#sendAckTimer, this.#idleTimer]) timer?.stop();
    const closed = new BtpClosedError(error);
    for (const pending of this.#queue.splice(0)) pending.reject(closed);
    this.#writing?.reject(closed);
    this.#writing = undefined;
    this.#handshake.reject(error ?? closed);
    const listeners = [...this.#closeListeners];
    this.#closeListeners.clear();
    for (const listener of listeners) listener(error);
    this.#link.close?.();
  }

  #open(flow: BtpFlow): void {
    this.#flow = flow;
    this.#handshakeTimer.stop();
    this.#idleTimer?.start();
  }

  #acceptHandshakeResponse(bytes: Uint8Array): void {
    const response = decodeHandshakeResponse(bytes);
    if (response.version !== BTP_VERSION) throw new BtpProtocolError(`the peripheral selected BTP version ${response.version}`);
    if (response.fragmentSize < MIN_FRAGMENT_SIZE) throw new BtpProtocolError(`fragment size ${response.fragmentSize} is below ${MIN_FRAGMENT_SIZE}`);
    if (response.windowSize < MIN_WINDOW_SIZE) throw new BtpProtocolError(`window size ${response.windowSize} is below ${MIN_WINDOW_SIZE}`);
    this.#receiveFragmentSize = response.fragmentSize;
    this.#sendFragmentSize = Math.min(response.fragmentSize, this.#maxFragmentSize);
    this.#windowSize = response.windowSize;
    // The response was the peripheral's sequence number 0 and we owe its ack (SDK BtpEngine::Init, central side).
    this.#open(new BtpFlow(this.#windowSize, { sent: 0, received: 1 }));
    this.#sendAckTimer.start();
    this.#handshake.resolve();
  }

  /** Processes one post-handshake packet; returns the Matter message it completes, if any. */
  #acceptPacket(flow: BtpFlow, bytes: Uint8Array): Uint8Array | undefined {
    // Some centrals (Apple's) count the 3-byte ATT header in the MTU they announce and send packets up to 3 bytes
    // over the negotiated fragment size; matter.js accepts those, so do we. Anything longer is a protocol error.
    if (bytes.length > this.#receiveFragmentSize + ATT_HEADER_SIZE) {
      throw new BtpProtocolError(`packet of ${bytes.length} bytes exceeds the fragment size of ${this.#receiveFragmentSize} `
        + `(+${ATT_HEADER_SIZE} tolerated)`);
    }
    const packet = decodePacket(bytes);
    flow.receive(packet.sequenceNumber);
    if (packet.ackNumber !== undefined) {
      flow.acknowledge(packet.ackNumber);
      if (flow.inFlight === 0) this.#ackReceivedTimer.stop();
      else this.#ackReceivedTimer.restart();
    }
    this.#sendAckTimer.start(); // every packet, a standalone ack too, is acknowledged in time
    if (!packet.beginsMessage && !packet.continuesMessage && !packet.endsMessage) return undefined;
    this.#idleTimer?.restart();
    return this.#reassembler.accept(packet);
  }

  /** Writes packets one at a time (one GATT operation at a time) while there is something the window lets out. */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (let next = this.#nextPacket(); next !== undefined; next = this.#nextPacket()) {
        this.#writing = next.completes;
        await this.#link.write(next.bytes);
        this.#writing = undefined;
        next.completes?.resolve();
      }
    } catch (error) {
      this.close(error);
    } finally {
      this.#pumping = false;
    }
  }

  /** Builds the next packet to write, taking its sequence number (and the owed ack) now so writes stay in order. */
  #nextPacket(): { bytes: Uint8Array; completes?: Settler } | undefined {
    const flow = this.#flow;
    if (flow === undefined) return undefined;
    const response = this.#handshakeResponse;
    if (response !== undefined) {
      this.#handshakeResponse = undefined;
      return { bytes: response, completes: this.#handshake };
    }
    const head = this.#queue[0];
    if (head !== undefined && flow.canSendSegment) {
      const ackNumber = this.#takeAck(flow);
      const segment = head.segments.nextSegment(this.#takeSequenceNumber(flow), ackNumber, this.#sendFragmentSize);
      this.#idleTimer?.restart();
      if (!head.segments.done) return { bytes: encodePacket(segment) };
      this.#queue.shift();
      return { bytes: encodePacket(segment), completes: head };
    }
    if (flow.mustSendAck) {
      const ackNumber = this.#takeAck(flow);
      return {
        bytes: encodePacket({
          sequenceNumber: this.#takeSequenceNumber(flow), ackNumber, payload: EMPTY,
          beginsMessage: false, continuesMessage: false, endsMessage: false,
        }),
      };
    }
    return undefined;
  }

  #takeAck(flow: BtpFlow): number | undefined {
    const ackNumber = flow.takeAck();
    if (ackNumber !== undefined) this.#sendAckTimer.stop();
    return ackNumber;
  }

  #takeSequenceNumber(flow: BtpFlow): number {
    this.#ackReceivedTimer.start();
    return flow.nextSequenceNumber();
  }
}
