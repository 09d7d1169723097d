// One realm of the edge: its own session table, exchanges, PASE responder (so a client establishes its session
// through the endpoint) and attribute server (the default message handler answers BasicInformation reads).
import { MalformedMessageError } from '../codec/malformed-message-error.js';
import { AttributeServer, basicInformationAttributes, type AttributeTable, type BasicInformation } from '../interaction/attribute-server.js';
import { ExchangeManager } from '../protocol/exchange-manager.js';
import type { MessageChannel } from '../protocol/message-channel.js';
import { PaseResponder } from '../protocol/pase/pase-responder.js';
import type { KeyValueStore } from '../storage/key-value-store.js';
import { MemoryStore } from '../storage/memory-store.js';
import { AuthenticationFailedError, DuplicateMessageError, UnknownSessionError } from '../session/session-errors.js';
import { SessionManager, type DecodedMessage } from '../session/session-manager.js';
import { SecureSession } from '../session/secure-session.js';
import { UnsecuredSession } from '../session/unsecured-session.js';
import type { EdgeMetrics } from './edge-metrics.js';
import { HttpReplyChannel } from './http-reply-channel.js';
import { WebSocketChannel } from './websocket-channel.js';

export interface RealmConfig {
  /** The setup passcode clients pair with. */
  passcode: number;
  /** What the default handler answers for BasicInformation (cluster 0x28 on endpoint 0). */
  basicInformation?: Partial<BasicInformation>;
  /** Replaces the default attribute table. */
  attributes?: AttributeTable;
  /** Resumption records and counters; default a MemoryStore. */
  storage?: KeyValueStore;
  /** PBKDF2 iterations of the passcode verifier (1000..100000). Default 1000. */
  iterations?: number;
}

/** An HTTP message's outcome: a reply (200), nothing to answer (204), or a client error. */
export type HttpOutcome =
  | { status: 200; reply: Uint8Array }
  | { status: 204 }
  | { status: 400 | 403 | 404 | 409; error: string; detail: string };

function outcomeOf(error: unknown): HttpOutcome {
  const detail = (error as Error)?.message ?? String(error);
  if (error instanceof MalformedMessageError) return { status: 400, error: 'malformed-message', detail };
  if (error instanceof UnknownSessionError) return { status: 404, error: 'unknown-session', detail };
  if (error instanceof AuthenticationFailedError) return { status: 403, error: 'authentication-failed', detail };
  if (error instanceof DuplicateMessageError) return { status: 409, error: 'replay', detail };
  return { status: 400, error: 'bad-message', detail };
}

/** Set while one HTTP message is being decoded (decoding is synchronous), to learn what became of it. */
interface DecodingCapture {
  current?: { message?: DecodedMessage; error?: unknown } | undefined;
}

export class EdgeRealm {
  readonly http: HttpReplyChannel;
  readonly #opened = new Map<SecureSession, number>();
  private constructor(readonly name: string, readonly sessions: SessionManager, readonly exchanges: ExchangeManager,
    readonly pase: PaseResponder, private readonly metrics: EdgeMetrics, private readonly decoding: DecodingCapture) {
    this.http = new HttpReplyChannel(`http:${name}`, () => metrics.messagesOut.inc({ realm: name }));
    sessions.events.on('sessionOpened', (session) => {
      this.#opened.set(session, Date.now());
      metrics.opened.inc({ realm: name });
    });
    sessions.events.on('sessionClosed', (session, reason) => {
      metrics.closed.inc({ realm: name, reason });
      const since = this.#opened.get(session);
      this.#opened.delete(session);
      if (since !== undefined) metrics.duration.observe({ realm: name }, (Date.now() - since) / 1000);
    });
  }

  static async create(name: string, config: RealmConfig, metrics: EdgeMetrics): Promise<EdgeRealm> {
    const sessions = await SessionManager.create({ storage: config.storage ?? new MemoryStore() });
    const decoding: DecodingCapture = {};
    const exchanges = new ExchangeManager(sessions, {
      onMessage: (message) => {
        metrics.messagesIn.inc({ realm: name });
        if (decoding.current) decoding.current.message = message;
      },
      onDropped: (error) => {
        if (error instanceof AuthenticationFailedError) metrics.authenticationFailures.inc({ realm: name });
        if (error instanceof DuplicateMessageError) metrics.replaysDropped.inc({ realm: name });
        if (decoding.current) decoding.current.error = error;
      },
    });
    const pase = new PaseResponder(exchanges, { passcode: config.passcode, iterations: config.iterations ?? 1000 });
    new AttributeServer(exchanges, config.attributes ?? basicInformationAttributes({
      vendorName: 'matter-sessions', vendorId: 0xfff1, productName: 'matter-sessions edge', productId: 0x8000,
      ...config.basicInformation,
    }));
    return new EdgeRealm(name, sessions, exchanges, pase, metrics, decoding);
  }

  /** One message from an HTTP request: decoded, routed, and answered with the reply it produces, if any. */
  async handleHttpMessage(body: Uint8Array, settleMs: number): Promise<HttpOutcome> {
    const capture: { message?: DecodedMessage; error?: unknown } = {};
    this.decoding.current = capture;
    try {
      this.exchanges.receive(body, this.http);
    } finally {
      this.decoding.current = undefined;
    }
    if (capture.error !== undefined) return outcomeOf(capture.error);
    const session = capture.message?.session;
    if (!(session instanceof SecureSession || session instanceof UnsecuredSession)) return { status: 204 };
    const reply = await this.http.awaitReply(session, settleMs);
    return reply ? { status: 200, reply } : { status: 204 };
  }

  /** A WebSocket connected: returns the frame handler; sessions opened over it close with `channel`. */
  attachWebSocket(channel: WebSocketChannel): (frame: Uint8Array) => void {
    return (frame) => this.exchanges.receive(frame, channel);
  }

  /** A WebSocket channel whose frames are counted as messages out. */
  webSocketChannel(label: string, sendFrame: (frame: Uint8Array) => void): WebSocketChannel {
    return new WebSocketChannel(`ws:${this.name}:${label}`, (frame) => {
      this.metrics.messagesOut.inc({ realm: this.name });
      sendFrame(frame);
    });
  }

  get openSessions(): number {
    return this.sessions.sessionCount;
  }

  async close(): Promise<void> {
    this.http.close();
    this.exchanges.close();
    await this.sessions.close();
  }
}

export type { MessageChannel };
