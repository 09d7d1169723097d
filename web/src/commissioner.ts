// The page's commissioner: one SessionManager (resumption records in IndexedDB) and one ExchangeManager, pairing by
// PASE over a BTP session (Web Bluetooth) or a WebSocket to an edge, one session at a time.
import {
  closeSession, connectWebBluetooth, establishPase, ExchangeManager, IndexedDbStore, readAttribute, SessionManager,
  tlvToPlainValue, WebSocketClientChannel, type BtpSession, type MessageChannel, type SecureSession,
  type SessionCloseReason, type WebBluetoothDevice,
} from '../../src/web.js';

/** The edge's WebSocket did not open. */
export class EdgeUnreachableError extends Error {
  override name = 'EdgeUnreachableError';
  constructor(readonly url: string, cause: unknown) {
    super(`could not reach the edge at ${url}`, { cause });
  }
}

/** The edge answered, but has no realm by that name (a browser's WebSocket cannot tell; a plain GET can). */
export class NoSuchRealmError extends Error {
  override name = 'NoSuchRealmError';
  constructor(readonly url: string, readonly realm: string) {
    super(`the edge at ${url} has no realm "${realm}"`);
  }
}

/**
 * Why a WebSocket to the edge failed: the browser reports every refusal as the same bare error, so ask the same
 * URL over HTTP. An edge answers an unknown realm with 404 {"error": "unknown-realm"}; anything else (no answer,
 * another origin without CORS) stays "unreachable".
 */
async function diagnoseRefusal(url: string, error: unknown): Promise<Error> {
  try {
    const response = await fetch(url.replace(/^ws/, 'http'), { method: 'GET' });
    const body = await response.json().catch(() => undefined) as { error?: unknown } | undefined;
    const realm = /\/realms\/([^/]+)\/ws\/?$/.exec(new URL(url).pathname)?.[1];
    if (response.status === 404 && body?.error === 'unknown-realm' && realm !== undefined) {
      return new NoSuchRealmError(url, decodeURIComponent(realm));
    }
  } catch {
    // no answer over HTTP either
  }
  return new EdgeUnreachableError(url, error);
}

/** The channel closed while a handshake was running on it. */
export class ConnectionClosedError extends Error {
  override name = 'ConnectionClosedError';
  constructor(channel: string) {
    super(`${channel} closed`);
  }
}

export interface CommissionerListener {
  /** A channel this commissioner opened closed: `error` says why (DeviceDisconnectedError for a lost device). */
  channelClosed(channel: MessageChannel, error: unknown): void;
  sessionClosed(session: SecureSession, reason: SessionCloseReason): void;
}

interface Current {
  session: SecureSession;
  channel: MessageChannel & { close(): void };
}

const VENDOR_NAME = { endpoint: 0, cluster: 0x28, attribute: 1 } as const;

export class Commissioner {
  readonly #exchanges: ExchangeManager;
  readonly #listener: CommissionerListener;
  #bluetooth: { device: WebBluetoothDevice; btp: BtpSession } | undefined;
  #current: Current | undefined;

  private constructor(exchanges: ExchangeManager, listener: CommissionerListener) {
    this.#exchanges = exchanges;
    this.#listener = listener;
    exchanges.sessions.events.on('sessionClosed', (session, reason) => {
      if (this.#current?.session === session) this.#current = undefined;
      listener.sessionClosed(session, reason);
    });
  }

  static async create(listener: CommissionerListener): Promise<Commissioner> {
    const sessions = await SessionManager.create({ storage: new IndexedDbStore('matter-sessions-web') });
    return new Commissioner(new ExchangeManager(sessions), listener);
  }

  get session(): SecureSession | undefined {
    return this.#current?.session;
  }

  /** PASE over BTP; reuses the device's open BTP session (after a wrong passcode, say). No MRP: BTP is reliable. */
  async pairOverBluetooth(device: WebBluetoothDevice, passcode: number): Promise<SecureSession> {
    await this.close();
    if (this.#bluetooth?.device !== device || this.#bluetooth.btp.closed) {
      this.#bluetooth?.btp.close();
      const btp = await connectWebBluetooth(device, { onMessage: (message, channel) => this.#exchanges.receive(message, channel) });
      this.#watch(btp);
      this.#bluetooth = { device, btp };
    }
    return this.#pair(this.#bluetooth.btp, passcode);
  }

  async pairOverWebSocket(url: string, passcode: number): Promise<SecureSession> {
    await this.close();
    this.#bluetooth?.btp.close();
    let channel: WebSocketClientChannel;
    try {
      channel = await WebSocketClientChannel.connect(url, (message, from) => this.#exchanges.receive(message, from),
        (address) => new WebSocket(address));
    } catch (error) {
      throw await diagnoseRefusal(url, error);
    }
    this.#watch(channel);
    try {
      return await this.#pair(channel, passcode);
    } catch (error) {
      channel.close();
      throw error;
    }
  }

  async readVendorName(): Promise<string> {
    const session = this.#required();
    return String(tlvToPlainValue(await readAttribute(this.#exchanges, session, VENDOR_NAME)));
  }

  /** CloseSession to the peer, then the transport: the device goes back to advertising, the edge forgets us. */
  async close(): Promise<void> {
    const current = this.#current;
    if (!current) return;
    this.#current = undefined;
    await closeSession(this.#exchanges, current.session);
    current.channel.close();
  }

  async #pair(channel: Current['channel'], passcode: number): Promise<SecureSession> {
    const session = await unlessChannelCloses(channel, establishPase(this.#exchanges, channel, { passcode }));
    this.#current = { session, channel };
    return session;
  }

  #watch(channel: MessageChannel): void {
    channel.onClose((error) => {
      if (this.#bluetooth?.btp === channel) this.#bluetooth = undefined;
      this.#listener.channelClosed(channel, error);
    });
  }

  #required(): SecureSession {
    const session = this.#current?.session;
    if (!session) throw new Error('no open session: pair first');
    return session;
  }
}

/**
 * `work` unless the channel closes first. The session manager drops a closed channel's handshake sessions without
 * failing their exchanges, so a handshake would otherwise wait out its timeout.
 */
function unlessChannelCloses<T>(channel: MessageChannel, work: Promise<T>): Promise<T> {
  let stopWatching = () => {};
  const closed = new Promise<never>((_, reject) => {
    stopWatching = channel.onClose((error) => reject(error ?? new ConnectionClosedError(channel.name)));
  });
  work.catch(() => {}); // when the channel wins, the handshake still settles later, unobserved
  return Promise.race([work, closed]).finally(() => stopWatching());
}
