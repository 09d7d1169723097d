// One realm of the edge: its own session table, exchanges, PASE responder (so a client establishes its session
// through the endpoint) and attribute server (the default message handler answers BasicInformation reads). Every
// message, over HTTP or a WebSocket, takes one path: decoded without committing its counter; in a fleet, checked
// against the shared reception window; then committed and dispatched.
import { MalformedMessageError } from '../codec/malformed-message-error.js';
import { AttributeServer, basicInformationAttributes, type AttributeTable, type BasicInformation } from '../interaction/attribute-server.js';
import { ExchangeManager } from '../protocol/exchange-manager.js';
import type { MessageChannel } from '../protocol/message-channel.js';
import type { CommissioningWindowBackoff, CommissioningWindowState } from '../protocol/pase/commissioning-window.js';
import { PaseResponder } from '../protocol/pase/pase-responder.js';
import type { KeyValueStore } from '../storage/key-value-store.js';
import { MemoryStore } from '../storage/memory-store.js';
import { StoreUnavailableError } from '../storage/store-lifecycle.js';
import { AuthenticationFailedError, DuplicateMessageError, UnknownSessionError } from '../session/session-errors.js';
import { SessionManager, type DecodedMessage } from '../session/session-manager.js';
import { SecureSession } from '../session/secure-session.js';
import { UnsecuredSession } from '../session/unsecured-session.js';
import type { MatterDeviceNode } from '../device/matter-device-node.js';
import type { EdgeFleet } from './edge-fleet.js';
import { silentLog, type EdgeLog } from './edge-log.js';
import { createRealmNode, type RealmNodeConfig } from './edge-node.js';
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
  /** Resumption records and counters; default a MemoryStore (in a fleet: the fleet's store). */
  storage?: KeyValueStore;
  /** PBKDF2 iterations of the passcode verifier (1000..100000). Default 1000. */
  iterations?: number;
  /** Failed passcode confirmations before the realm's commissioning window closes (the spec's rule). Default 20. */
  maxFailedAttempts?: number;
  /** How long the window then stays closed: doubling from 10 s to 10 min by default; `false`: until an admin reopens it. */
  windowBackoff?: CommissioningWindowBackoff | false;
  /** PASE handshakes held at once; when all are taken a newcomer evicts the one waiting longest. Default 1024. */
  handshakeSlots?: number;
  /** How long a handshake waits for each next message over HTTP and WebSocket (ms). Default 10 s. */
  handshakeStepTimeoutMs?: number;
  /** The clock of the commissioning window (ms), injectable for tests. Default Date.now. */
  now?: () => number;
  /** Makes the realm a Matter node (src/edge/edge-node.ts): the app's endpoints, attestation, CASE for its fabrics. */
  node?: RealmNodeConfig;
}

/** A message's outcome: a reply (200), nothing to answer (204), a client error, or the shared store down (503). */
export type HttpOutcome =
  | { status: 200; reply: Uint8Array }
  | { status: 204 }
  | { status: 400 | 403 | 404 | 409 | 503; error: string; detail: string };

/**
 * Handshakes an edge realm holds at once: unlike a device it serves many clients. A handshake waiting for its peer
 * holds about 8 KB (test/edge-guard.test.ts, 4,000 held over the HTTP path), so 1024 bound them to about 8 MB;
 * under a flood of R new handshakes a second, a client keeps its slot for 1024 / R seconds between its messages (a
 * third of a second at 3,000 a second, where it needs milliseconds).
 */
const DEFAULT_HANDSHAKE_SLOTS = 1024;
const noRelease = (): void => {};
/** The handshake step timeout over HTTP and WebSocket when the realm's config names none (PASE's default too). */
const DEFAULT_STEP_TIMEOUT_MS = 10_000;
/** How often a fleet instance checks whether another one changed the realm node's fabrics or ACL. */
const FABRIC_SYNC_MS = 1000;
/** Unsecured sessions beyond the handshakes' own, for messages that begin no handshake (acks, refusals). */
const SPARE_UNSECURED_SESSIONS = 256;

export class EdgeRealm {
  readonly http: HttpReplyChannel;
  /** The realm's Matter node, when its configuration makes it one. */
  node: MatterDeviceNode | undefined;
  readonly #opened = new Map<SecureSession, number>();
  readonly #labels: { realm: string };
  #fabricSync: ReturnType<typeof setInterval> | undefined;

  private constructor(readonly name: string, readonly sessions: SessionManager, readonly exchanges: ExchangeManager,
    readonly pase: PaseResponder, private readonly metrics: EdgeMetrics, private readonly fleet: EdgeFleet | undefined,
    private readonly log: EdgeLog) {
    // One labels object for the per-message counters: its text is computed once (edge-metrics.ts).
    const labels = { realm: name };
    this.#labels = labels;
    this.http = new HttpReplyChannel(`http:${name}`, () => metrics.messagesOut.inc(labels));
    sessions.events.on('sessionOpened', (session) => {
      this.#opened.set(session, Date.now());
      metrics.opened.inc({ realm: name });
      log.info('session opened', { realm: name, id: session.id, peer: session.peerSessionId, kind: session.kind, channel: channelName(session) });
    });
    sessions.events.on('sessionClosed', (session, reason) => {
      metrics.closed.inc({ realm: name, reason });
      const since = this.#opened.get(session);
      this.#opened.delete(session);
      const seconds = since === undefined ? undefined : (Date.now() - since) / 1000;
      if (seconds !== undefined) metrics.duration.observe({ realm: name }, seconds);
      log.info('session closed', { realm: name, id: session.id, reason, seconds: seconds?.toFixed(1) });
    });
    metrics.onRender(() => this.#sampleWindow());
  }

  /** The window's gauges; reading the state also notices (and logs) a back-off that ran out. */
  #sampleWindow(): void {
    const state = this.pase.windowState;
    const realm = { realm: this.name };
    this.metrics.windowOpen.set(realm, state.open ? 1 : 0);
    this.metrics.windowFailedAttempts.set(realm, state.failedAttempts);
    this.metrics.windowReopensIn.set(realm, Number.isFinite(state.retryAfterMs) ? Math.ceil(state.retryAfterMs / 1000) : -1);
    this.metrics.handshakesPending.set(realm, this.pase.handshakes.pending);
  }

  /** The commissioning window and the handshakes, for the admin route. */
  get commissioningWindow(): CommissioningWindowState & { handshakes: PaseResponder['handshakes'] } {
    return { ...this.pase.windowState, handshakes: this.pase.handshakes };
  }

  /** An administrator reopens the window, optionally with a new passcode (RangeError for one Matter forbids). */
  reopenCommissioningWindow(passcode?: number): void {
    if (passcode !== undefined) {
      this.pase.setPasscode(passcode);
      this.log.warn('passcode rotated', { realm: this.name });
    } else {
      this.pase.openWindow();
    }
    this.log.info('commissioning window opened by an administrator', { realm: this.name });
  }

  static async create(name: string, config: RealmConfig, metrics: EdgeMetrics, fleet?: EdgeFleet, log: EdgeLog = silentLog): Promise<EdgeRealm> {
    const slots = config.handshakeSlots ?? DEFAULT_HANDSHAKE_SLOTS;
    const storage = fleet ? fleet.realmStore(name) : config.storage ?? new MemoryStore();
    const sessions = await SessionManager.create({
      storage,
      // Each handshake in progress holds an unsecured session: the pool must outnumber the handshakes served at once.
      limits: { maxSessions: 10_000, maxPaseSessions: 10_000, maxUnsecuredSessions: slots + SPARE_UNSECURED_SESSIONS },
      ...(fleet ? fleet.sessionOptions(name) : {}),
    });
    fleet?.attach(name, sessions);
    const labels = { realm: name };
    const exchanges = new ExchangeManager(sessions, { onMessage: () => metrics.messagesIn.inc(labels) });
    const realm = labels;
    // Handshakes over HTTP and WebSocket wait in the fleet's store between messages: the next may reach any instance.
    const parked = fleet?.parkedHandshakes(name, { ttlMs: config.handshakeStepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS });
    const pase = new PaseResponder(exchanges, {
      ...(parked ? { parked } : {}),
      passcode: config.passcode, iterations: config.iterations ?? 1000, maxConcurrentHandshakes: slots,
      maxFailedAttempts: config.maxFailedAttempts ?? 20,
      ...(config.windowBackoff !== undefined ? { windowBackoff: config.windowBackoff } : {}),
      ...(config.handshakeStepTimeoutMs !== undefined ? { reliableStepTimeoutMs: config.handshakeStepTimeoutMs } : {}),
      ...(config.now ? { now: config.now } : {}),
      onHandshakeFailed: (failure) => {
        metrics.handshakeFailures.inc({ ...realm, failure: failure.failure });
        // A failed confirmation is news; a stalled, evicted or refused handshake is what a flood is made of.
        (failure.counted ? log.warn : log.debug)('handshake failed', {
          ...realm, failure: failure.failure, stage: failure.stage, counted: failure.counted, detail: failure.detail,
        });
      },
      onWindowChange: (state, change) => {
        if (change === 'failure') metrics.failedConfirmations.inc(realm);
        if (change === 'closed') {
          metrics.windowClosures.inc(realm);
          log.warn('commissioning window closed', {
            ...realm, failures: state.failedAttempts, closures: state.closures,
            reopensIn: Number.isFinite(state.retryAfterMs) ? `${Math.ceil(state.retryAfterMs / 1000)}s` : 'never (admin)',
          });
        }
        if (change === 'reopened') log.info('commissioning window reopened', realm);
      },
    });
    new AttributeServer(exchanges, config.attributes ?? basicInformationAttributes({
      vendorName: 'matter-sessions', vendorId: 0xfff1, productName: 'matter-sessions edge', productId: 0x8000,
      ...config.basicInformation,
    }));
    // Both outcomes are shown from the start (at 0), so a dashboard's rate has a series before the first session.
    const caseFull = { ...realm, outcome: 'full' };
    const caseResumed = { ...realm, outcome: 'resumed' };
    if (config.node) for (const labels of [caseFull, caseResumed]) metrics.caseHandshakes.inc(labels, 0);
    const node = config.node ? await createRealmNode(config.node, {
      realm: name, passcode: config.passcode, storage, sessions, exchanges, basicInformation: config.basicInformation,
      onCaseSession: (resumed) => metrics.caseHandshakes.inc(resumed ? caseResumed : caseFull),
      // A failed CASE handshake is what strangers and stale records produce: debug, as PASE's uncounted failures.
      onCaseFailure: (error) => {
        metrics.caseHandshakeFailures.inc({ ...realm, failure: error.failure });
        log.debug('CASE handshake failed', { realm: name, failure: error.failure, detail: error.message });
      },
      ...(parked ? { parked } : {}),
      ...(fleet ? { sharedFailSafe: fleet.sharedFailSafe(name) } : {}),
    }) : undefined;
    if (node && fleet) node.fabrics.shareChanges();
    const edgeRealm = new EdgeRealm(name, sessions, exchanges, pase, metrics, fleet, log);
    edgeRealm.node = node;
    if (node && fleet) {
      // Fabrics and ACL written by another instance (commissioning, RemoveFabric) reach this one within a second:
      // one store read a second per realm, whatever the traffic, so strangers cannot make us read more (a check on
      // each unmatched Sigma1 would let them); a reload happens only after an administrator changed something.
      edgeRealm.#fabricSync = setInterval(() => {
        // A moved generation may be another instance's AddNOC under the shared fail-safe: take the context up too.
        node.fabrics.refresh().then((moved) => (moved ? node.syncFailSafe() : undefined))
          .catch((error: unknown) => log.warn('fabric table refresh failed', { realm: name, detail: String(error) }));
      }, FABRIC_SYNC_MS);
      (edgeRealm.#fabricSync as { unref?: () => void }).unref?.();
    }
    return edgeRealm;
  }

  #failed(error: unknown): HttpOutcome {
    const detail = (error as Error)?.message ?? String(error);
    if (error instanceof StoreUnavailableError) return { status: 503, error: 'store-unavailable', detail };
    if (error instanceof MalformedMessageError) return { status: 400, error: 'malformed-message', detail };
    if (error instanceof UnknownSessionError) return { status: 404, error: 'unknown-session', detail };
    if (error instanceof AuthenticationFailedError) {
      this.metrics.authenticationFailures.inc({ realm: this.name });
      return { status: 403, error: 'authentication-failed', detail };
    }
    if (error instanceof DuplicateMessageError) {
      this.metrics.replaysDropped.inc({ realm: this.name });
      return { status: 409, error: 'replay', detail };
    }
    return { status: 400, error: 'bad-message', detail };
  }

  /**
   * Decodes and checks one message; returns it ready to dispatch (counter committed), or why it was refused. In a
   * fleet, `release` ends the hold on the outgoing counters reserved for its replies (see FleetBlockCounter).
   */
  async #accept(body: Uint8Array, channel: MessageChannel): Promise<{ message: DecodedMessage; release: () => void } | HttpOutcome> {
    try {
      const sessionId = SessionManager.sessionIdOf(body);
      const secure = sessionId !== 0 && (body[3]! & 0x03) === 0;
      if (this.fleet && secure) await this.fleet.admit(this.name, this.sessions, sessionId, channel);
      const { message, commit } = this.sessions.decodeDeferred(body, channel);
      const release = this.fleet && message.session instanceof SecureSession ? await this.fleet.accept(this.name, message) : noRelease;
      // A PASE session commissions: the fail-safe it armed may live on another instance (its privileges follow it).
      if (this.node?.sharesFailSafe && message.session instanceof SecureSession && message.session.kind === 'pase') {
        try {
          await this.node.syncFailSafe();
        } catch (error) {
          release();
          throw error;
        }
      }
      commit();
      return { message, release };
    } catch (error) {
      return this.#failed(error);
    }
  }

  /** Dispatches; the counters held for the message's replies are released once its session waits for the peer. */
  #dispatch({ message, release }: { message: DecodedMessage; release: () => void }, channel: MessageChannel): void {
    this.exchanges.dispatch(message, channel);
    if (release === noRelease) return;
    const session = message.session;
    if (!(session instanceof SecureSession)) return release();
    void this.exchanges.whenIdle(session).then(release);
  }

  /**
   * One message from an HTTP request: answered with the reply it produces, if any (waiting `capMs` at most). The
   * message is dispatched with a channel of its own, which is where its exchange answers (http-reply-channel.ts).
   */
  async handleHttpMessage(body: Uint8Array, capMs: number): Promise<HttpOutcome> {
    const accepted = await this.#accept(body, this.http);
    if ('status' in accepted) return accepted;
    const session = accepted.message.session;
    if (!(session instanceof SecureSession || session instanceof UnsecuredSession)) {
      accepted.release();
      return { status: 204 };
    }
    const request = this.http.request(capMs);
    this.#dispatch(accepted, request);
    // No reply yet: there is none to wait for once every exchange of the session waits for the peer.
    if (!request.answered) void Promise.resolve().then(() => this.exchanges.whenIdle(session)).then(() => request.giveUp());
    const reply = await request.reply;
    return reply ? { status: 200, reply } : { status: 204 };
  }

  /** A WebSocket connected: returns its frame handler. Frames are processed in order; refused ones are counted. */
  attachWebSocket(channel: WebSocketChannel): (frame: Uint8Array) => void {
    let queue = Promise.resolve();
    return (frame) => {
      queue = queue.then(async () => {
        const accepted = await this.#accept(frame, channel);
        if (!('status' in accepted)) this.#dispatch(accepted, channel);
      });
    };
  }

  /** A WebSocket channel whose frames are counted as messages out. */
  webSocketChannel(label: string, sendFrame: (frame: Uint8Array) => void): WebSocketChannel {
    return new WebSocketChannel(`ws:${this.name}:${label}`, (frame) => {
      this.metrics.messagesOut.inc(this.#labels);
      sendFrame(frame);
    });
  }

  /**
   * A datagram from a connectionless transport (UDP): the same checks as HTTP and WebSocket, answered on `channel`.
   * Returns why it was refused (the HTTP outcome it would have had), or undefined once dispatched.
   */
  async receiveDatagram(datagram: Uint8Array, channel: MessageChannel): Promise<Exclude<HttpOutcome, { status: 200 | 204 }> | undefined> {
    const accepted = await this.#accept(datagram, channel);
    if ('status' in accepted) return accepted as Exclude<HttpOutcome, { status: 200 | 204 }>;
    this.#dispatch(accepted, channel);
    return undefined;
  }

  get openSessions(): number {
    return this.sessions.sessionCount;
  }

  async close(): Promise<void> {
    clearInterval(this.#fabricSync);
    await this.node?.close();
    this.pase.close();
    this.http.close();
    this.exchanges.close();
    await this.sessions.close();
  }
}

function channelName(session: SecureSession): string | undefined {
  const channel = session.channel as { name?: unknown } | undefined;
  return typeof channel?.name === 'string' ? channel.name : undefined;
}
