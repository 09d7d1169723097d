// The publisher side of subscriptions (spec "Subscribe Interaction"): a SubscribeRequest is answered with priming
// ReportData chunks carrying the new SubscriptionId (each acknowledged by the client's StatusResponse), then
// SubscribeResponse with the chosen MaxInterval. Afterwards reports go out on exchanges the publisher opens: changed
// attributes no sooner than MinIntervalFloor after the previous report, and an empty keep-alive report before
// MaxInterval runs out. A subscription ends when the client answers a report with anything but Success, when a
// report cannot be delivered, when its session closes, or when the same peer subscribes with KeepSubscriptions=false.
// The session's subscription count (SessionManager.setSubscriptionCount, event 'subscriptionsChanged') follows.
import type { Exchange } from '../protocol/exchange.js';
import type { ExchangeManager } from '../protocol/exchange-manager.js';
import type { SecureSession } from '../session/secure-session.js';
import type { AttributePath } from './attribute-path.js';
import { nextInteraction, sendInteraction, sendStatus } from './interaction-exchange.js';
import type { InteractionContext } from './interaction-server.js';
import { InteractionOpcode } from './opcodes.js';
import { decodeStatusResponse, encodeReportData, type AttributeReport } from './read-interaction.js';
import { chunkReports, REPORT_PAYLOAD_BUDGET } from './report-chunks.js';
import { InteractionModelStatus as Status } from './status-codes.js';
import { decodeSubscribeRequest, encodeSubscribeResponse } from './subscribe-interaction.js';
import { keepAliveIntervalMs, selectMaxInterval, type SubscriptionIntervalConfig } from './subscription-interval.js';

export interface ServerSubscriptionOptions extends SubscriptionIntervalConfig {
  /** Subscriptions one session may hold (default 10; the spec asks for at least 3 per fabric). */
  maxPerSession?: number;
  /** Subscriptions in all (default 1000). */
  maxTotal?: number;
  /** Attribute paths in one subscription (default 100). */
  maxPaths?: number;
  /** How long to wait for the client's StatusResponse to a report (default 30 s). */
  reportTimeoutMs?: number;
  /** Random source for the MaxInterval spread (tests pin it). */
  random?: () => number;
}

/** Where reports come from: the server's table, read with the subscriber's context. */
export interface ReportSource {
  reportsFor(path: AttributePath, context: InteractionContext, filters?: ReadonlyMap<string, number>): AttributeReport[];
  reportFor(endpoint: number, cluster: number, attribute: number, context: InteractionContext): AttributeReport[];
}

export type SubscriptionEndReason = 'session-closed' | 'replaced' | 'refused-by-peer' | 'delivery-failed' | 'cancelled';

/** What the server knows about one subscription. */
export interface SubscriptionInfo {
  id: number;
  session: SecureSession;
  paths: readonly AttributePath[];
  minIntervalFloor: number;
  maxInterval: number;
}

class ServerSubscription implements SubscriptionInfo {
  readonly #dirty = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastSentAt = 0;
  #sending = false;
  #started = false;
  closed = false;

  constructor(readonly id: number, readonly session: SecureSession, readonly context: InteractionContext,
    readonly paths: readonly AttributePath[], readonly minIntervalFloor: number, readonly maxInterval: number,
    readonly keepAliveMs: number, readonly peer: unknown, private readonly owner: ServerSubscriptions) {}

  covers(endpoint: number, cluster: number, attribute: number): boolean {
    return this.paths.some((p) => (p.endpoint === undefined || p.endpoint === endpoint)
      && (p.cluster === undefined || p.cluster === cluster) && (p.attribute === undefined || p.attribute === attribute));
  }

  markDirty(endpoint: number, cluster: number, attribute: number): void {
    if (this.closed || !this.covers(endpoint, cluster, attribute)) return;
    this.#dirty.add(`${endpoint}/${cluster}/${attribute}`);
    this.#schedule();
  }

  /** Primed and answered with SubscribeResponse. */
  get established(): boolean {
    return this.#started;
  }

  start(): void {
    this.#started = true;
    this.#lastSentAt = Date.now();
    this.#schedule();
  }

  stop(): void {
    this.closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.closed || !this.#started || this.#sending) return;
    clearTimeout(this.#timer);
    const now = Date.now();
    // Changes wait out MinIntervalFloor since the last report; otherwise the keep-alive is due.
    const due = this.#dirty.size > 0 ? Math.max(now, this.#lastSentAt + this.minIntervalFloor * 1000) : this.#lastSentAt + this.keepAliveMs;
    this.#timer = setTimeout(() => void this.#send(), Math.max(0, due - now));
  }

  async #send(): Promise<void> {
    if (this.closed || this.#sending) return;
    this.#sending = true;
    const changed = [...this.#dirty].map((key) => key.split('/').map(Number) as [number, number, number]);
    this.#dirty.clear();
    const reports = changed.flatMap(([e, c, a]) => this.owner.source.reportFor(e, c, a, this.context));
    let ending: SubscriptionEndReason | undefined;
    try {
      ending = await this.owner.deliver(this, reports);
    } catch {
      ending = 'delivery-failed';
    }
    this.#lastSentAt = Date.now();
    this.#sending = false;
    if (ending) this.owner.end(this, ending);
    else this.#schedule();
  }
}

export class ServerSubscriptions {
  readonly #exchanges: ExchangeManager;
  readonly #options: ServerSubscriptionOptions;
  readonly #all = new Map<number, ServerSubscription>();
  readonly #bySession = new Map<SecureSession, Set<ServerSubscription>>();
  readonly #stopListening: () => void;
  /** Told when a subscription ends, and why. */
  onEnded: ((subscription: SubscriptionInfo, reason: SubscriptionEndReason) => void) | undefined;

  constructor(exchanges: ExchangeManager, readonly source: ReportSource, options: ServerSubscriptionOptions = {}) {
    this.#exchanges = exchanges;
    this.#options = options;
    // Spec: subscriptions do not outlive their session (nor move to a resumed one).
    this.#stopListening = exchanges.sessions.events.on('sessionClosed', (session) => {
      for (const subscription of [...(this.#bySession.get(session) ?? [])]) this.end(subscription, 'session-closed');
    });
  }

  /** Established subscriptions. */
  get count(): number {
    return [...this.#all.values()].filter((s) => s.established && !s.closed).length;
  }

  list(session?: SecureSession): SubscriptionInfo[] {
    return [...(session ? this.#bySession.get(session) ?? [] : this.#all.values())];
  }

  /** An attribute changed: every subscription covering it reports it (after its MinIntervalFloor). */
  markDirty(endpoint: number, cluster: number, attribute: number): void {
    for (const subscription of this.#all.values()) subscription.markDirty(endpoint, cluster, attribute);
  }

  cancel(id: number): boolean {
    const subscription = this.#all.get(id);
    if (!subscription) return false;
    this.end(subscription, 'cancelled');
    return true;
  }

  close(): void {
    for (const subscription of [...this.#all.values()]) this.end(subscription, 'cancelled');
    this.#stopListening();
  }

  /** Answers a SubscribeRequest on its exchange (the caller closes the exchange). */
  async handleRequest(exchange: Exchange, context: InteractionContext, payload: Uint8Array): Promise<void> {
    const request = decodeSubscribeRequest(payload);
    const { minIntervalFloor: floor, maxIntervalCeiling: ceiling, paths } = request;
    // Spec: a ceiling below the floor, or nothing to subscribe to (events are not served), is an invalid action.
    if (ceiling < floor || paths.length === 0) return sendStatus(exchange, Status.invalidAction);
    if (paths.length > (this.#options.maxPaths ?? 100)) return sendStatus(exchange, Status.pathsExhausted);
    const session = context.session;
    const peer = peerOf(session);
    if (!request.keepSubscriptions) {
      for (const other of [...this.#all.values()]) if (other.peer === peer) this.end(other, 'replaced');
    }
    const mine = this.#bySession.get(session)?.size ?? 0;
    if (mine >= (this.#options.maxPerSession ?? 10) || this.#all.size >= (this.#options.maxTotal ?? 1000)) {
      return sendStatus(exchange, Status.resourceExhausted);
    }
    const maxInterval = selectMaxInterval(floor, ceiling, this.#options, this.#options.random);
    const subscription = new ServerSubscription(this.#newId(), session, context, paths, floor, maxInterval,
      keepAliveIntervalMs(maxInterval, floor, this.#options), peer, this);
    // Registered before priming, so a change while priming is reported afterwards.
    this.#add(subscription);
    const filters = new Map(request.dataVersionFilters.map((f) => [`${f.endpoint}/${f.cluster}`, f.dataVersion]));
    const reports = paths.flatMap((path) => this.source.reportsFor(path, context, filters));
    try {
      if (!(await this.#sendReports(exchange, subscription, reports))) return this.end(subscription, 'refused-by-peer');
      if (subscription.closed) return;
      // Established from the moment SubscribeResponse leaves: the client may act on it before our send is acked.
      const response = sendInteraction(exchange, InteractionOpcode.subscribeResponse,
        encodeSubscribeResponse({ subscriptionId: subscription.id, maxInterval }));
      subscription.start();
      this.#counted(session);
      await response;
    } catch (error) {
      this.end(subscription, 'delivery-failed');
      throw error;
    }
  }

  /** Sends one report (in chunks) on a new exchange; resolves with a reason to end, or undefined. @internal */
  async deliver(subscription: ServerSubscription, reports: AttributeReport[]): Promise<SubscriptionEndReason | undefined> {
    if (subscription.session.closed) return 'session-closed';
    const exchange = this.#exchanges.initiate(subscription.session);
    try {
      return (await this.#sendReports(exchange, subscription, reports)) ? undefined : 'refused-by-peer';
    } finally {
      await exchange.close();
    }
  }

  async #sendReports(exchange: Exchange, subscription: ServerSubscription, reports: AttributeReport[]): Promise<boolean> {
    const chunks = chunkReports(reports, REPORT_PAYLOAD_BUDGET, subscription.id);
    for (const [i, chunk] of chunks.entries()) {
      await sendInteraction(exchange, InteractionOpcode.reportData, encodeReportData({
        subscriptionId: subscription.id, attributeReports: chunk, moreChunkedMessages: i < chunks.length - 1,
        suppressResponse: false,
      }));
      const answer = await nextInteraction(exchange, this.#options.reportTimeoutMs ?? 30_000, 'subscription report');
      if (answer.opcode !== InteractionOpcode.statusResponse || decodeStatusResponse(answer.payload) !== Status.success) return false;
      if (subscription.closed) return false;
    }
    return true;
  }

  /** Ends a subscription: timers stop, the session's count drops. @internal */
  end(subscription: ServerSubscription, reason: SubscriptionEndReason): void {
    if (this.#all.get(subscription.id) !== subscription) return;
    const established = subscription.established;
    subscription.stop();
    this.#all.delete(subscription.id);
    const set = this.#bySession.get(subscription.session);
    set?.delete(subscription);
    if (set?.size === 0) this.#bySession.delete(subscription.session);
    if (established) this.#counted(subscription.session);
    this.onEnded?.(subscription, reason);
  }

  #add(subscription: ServerSubscription): void {
    this.#all.set(subscription.id, subscription);
    let set = this.#bySession.get(subscription.session);
    if (!set) this.#bySession.set(subscription.session, (set = new Set()));
    set.add(subscription);
  }

  #counted(session: SecureSession): void {
    const count = [...(this.#bySession.get(session) ?? [])].filter((s) => s.established && !s.closed).length;
    this.#exchanges.sessions.setSubscriptionCount(session, count);
  }

  #newId(): number {
    for (;;) {
      const id = crypto.getRandomValues(new Uint32Array(1))[0]!;
      if (!this.#all.has(id)) return id;
    }
  }
}

/** The peer a KeepSubscriptions=false request speaks for: fabric and node on CASE; the session itself on PASE. */
function peerOf(session: SecureSession): unknown {
  return session.kind === 'case' && session.fabricIndex !== undefined ? `${session.fabricIndex}/${session.peerNodeId}` : session;
}
