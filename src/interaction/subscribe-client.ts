// The subscriber side (spec "Subscribe Interaction"): SubscribeRequest, the priming ReportData chunks (each answered
// with StatusResponse(Success)), SubscribeResponse; then reports arrive on exchanges the publisher opens, each
// answered with StatusResponse(Success), or InvalidSubscription once the subscription is cancelled here. A
// subscription is declared lost when no report comes within MaxInterval plus a slack, or when its session closes.
import type { Exchange, ExchangeMessage } from '../protocol/exchange.js';
import type { ExchangeManager } from '../protocol/exchange-manager.js';
import type { SecureSession } from '../session/secure-session.js';
import type { AttributePath } from './attribute-path.js';
import { interactionDispatcher } from './interaction-dispatcher.js';
import { MAX_CHUNKS, nextInteraction, refusal, sendInteraction, sendStatus, UnexpectedInteractionMessageError } from './interaction-exchange.js';
import { InteractionOpcode } from './opcodes.js';
import { decodeReportData, type AttributeReport } from './read-interaction.js';
import { InteractionModelStatus as Status } from './status-codes.js';
import { decodeSubscribeResponse, encodeSubscribeRequest, type DataVersionFilter } from './subscribe-interaction.js';

export interface SubscribeOptions {
  /** uint16 seconds; default 0. */
  minIntervalFloorSeconds?: number;
  /** uint16 seconds; default 60. The publisher may choose more (up to 60 min). */
  maxIntervalCeilingSeconds?: number;
  /** false ends our other subscriptions to this publisher, there and here (default true). */
  keepSubscriptions?: boolean;
  fabricFiltered?: boolean;
  dataVersionFilters?: readonly DataVersionFilter[];
  /** Called with each report's attribute reports after the priming one (an empty array for a keep-alive). */
  onReport?: (reports: AttributeReport[]) => void;
  /** Called once when the subscription is lost (not when cancelled). */
  onLost?: (error: SubscriptionLostError) => void;
  /** Added to MaxInterval before the subscription counts as lost (default 10 s: the publisher's retransmissions). */
  livenessSlackMs?: number;
  /** Wait this long for each message of the setup (default 10 s). */
  timeoutMs?: number;
  /** Reports kept for the iterator before the oldest are dropped (default 1000). */
  maxQueuedReports?: number;
}

export type SubscriptionLossReason = 'timeout' | 'session-closed';

export class SubscriptionLostError extends Error {
  override name = 'SubscriptionLostError';
  constructor(readonly subscriptionId: number, readonly reason: SubscriptionLossReason) {
    super(`subscription 0x${subscriptionId.toString(16)}: ${reason === 'timeout' ? 'no report within MaxInterval' : 'its session closed'}`);
  }
}

/** A live subscription: iterate it (or pass onReport) for reports after the priming one. */
export interface Subscription extends AsyncIterable<AttributeReport[]> {
  readonly id: number;
  /** Seconds, as the publisher chose. */
  readonly maxInterval: number;
  readonly session: SecureSession;
  /** The priming report: every subscribed attribute's value. */
  readonly priming: AttributeReport[];
  /** Why it ended: undefined while live, 'cancelled', or the loss. */
  readonly ended: 'cancelled' | SubscriptionLostError | undefined;
  /** Stops here; the publisher learns it from our InvalidSubscription answer to its next report. */
  cancel(): void;
}

class ClientSubscription implements Subscription {
  readonly #queue: AttributeReport[][] = [];
  #waiter: { resolve(r: IteratorResult<AttributeReport[]>): void; reject(e: Error): void } | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  ended: 'cancelled' | SubscriptionLostError | undefined;

  constructor(readonly id: number, readonly maxInterval: number, readonly session: SecureSession,
    readonly priming: AttributeReport[], private readonly options: SubscribeOptions,
    private readonly onEnd: (s: ClientSubscription) => void) {
    this.#arm();
  }

  #arm(): void {
    clearTimeout(this.#timer);
    const ms = this.maxInterval * 1000 + (this.options.livenessSlackMs ?? 10_000);
    this.#timer = setTimeout(() => this.lose('timeout'), ms);
  }

  /** A report arrived (the liveness deadline starts again). */
  deliver(reports: AttributeReport[]): void {
    if (this.ended) return;
    this.#arm();
    this.options.onReport?.(reports);
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter.resolve({ value: reports, done: false });
      return;
    }
    this.#queue.push(reports);
    if (this.#queue.length > (this.options.maxQueuedReports ?? 1000)) this.#queue.shift();
  }

  lose(reason: SubscriptionLossReason): void {
    if (this.ended) return;
    const error = new SubscriptionLostError(this.id, reason);
    this.#finish(error);
    this.options.onLost?.(error);
  }

  cancel(): void {
    if (!this.ended) this.#finish('cancelled');
  }

  #finish(end: 'cancelled' | SubscriptionLostError): void {
    this.ended = end;
    clearTimeout(this.#timer);
    this.onEnd(this);
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (!waiter) return;
    if (end === 'cancelled') waiter.resolve({ value: undefined, done: true });
    else waiter.reject(end);
  }

  [Symbol.asyncIterator](): AsyncIterator<AttributeReport[]> {
    return {
      next: () => {
        const queued = this.#queue.shift();
        if (queued) return Promise.resolve({ value: queued, done: false });
        if (this.ended === 'cancelled') return Promise.resolve({ value: undefined, done: true });
        if (this.ended) return Promise.reject(this.ended);
        if (this.#waiter) return Promise.reject(new Error('subscription: already waiting for a report'));
        return new Promise((resolve, reject) => { this.#waiter = { resolve, reject }; });
      },
      return: () => {
        this.cancel();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

/** The subscriptions made through one ExchangeManager, and the handler for the reports they receive. */
class SubscriptionReceiver {
  readonly #subscriptions = new Map<number, ClientSubscription>();

  constructor(exchanges: ExchangeManager) {
    interactionDispatcher(exchanges).reports = (exchange, first) => this.#report(exchange, first);
    exchanges.sessions.events.on('sessionClosed', (session) => {
      for (const s of [...this.#subscriptions.values()]) if (s.session === session) s.lose('session-closed');
    });
  }

  add(subscription: ClientSubscription): void {
    this.#subscriptions.set(subscription.id, subscription);
  }

  /** KeepSubscriptions=false ended the publisher's other subscriptions from us: end them here too. */
  replacedBy(subscription: ClientSubscription): void {
    const peer = peerOf(subscription.session);
    for (const other of [...this.#subscriptions.values()]) {
      if (other !== subscription && peerOf(other.session) === peer) other.cancel();
    }
  }

  remove(subscription: ClientSubscription): void {
    if (this.#subscriptions.get(subscription.id) === subscription) this.#subscriptions.delete(subscription.id);
  }

  async #report(exchange: Exchange, first: ExchangeMessage): Promise<void> {
    try {
      let message = first;
      const reports: AttributeReport[] = [];
      let subscription: ClientSubscription | undefined;
      for (let chunk = 1; chunk <= MAX_CHUNKS; chunk++) {
        const report = decodeReportData(message.payload);
        subscription ??= report.subscriptionId === undefined ? undefined : this.#subscriptions.get(report.subscriptionId);
        // Spec: a report for a subscription we do not hold (or on another session) is answered InvalidSubscription.
        if (!subscription || subscription.session !== exchange.session || report.subscriptionId !== subscription.id) {
          await sendStatus(exchange, Status.invalidSubscription);
          return;
        }
        reports.push(...report.attributeReports);
        if (!report.suppressResponse || report.moreChunkedMessages) await sendStatus(exchange, Status.success);
        if (!report.moreChunkedMessages) return subscription.deliver(reports);
        message = await nextInteraction(exchange, 30_000, 'subscription report');
        if (message.opcode !== InteractionOpcode.reportData) return;
      }
    } catch {
      // A malformed report is dropped: the liveness deadline decides whether the subscription still lives.
    } finally {
      await exchange.close();
    }
  }
}

const receivers = new WeakMap<ExchangeManager, SubscriptionReceiver>();

/** The publisher as KeepSubscriptions sees it: fabric and node on CASE; the session itself on PASE. */
function peerOf(session: SecureSession): unknown {
  return session.kind === 'case' && session.fabricIndex !== undefined ? `${session.fabricIndex}/${session.peerNodeId}` : session;
}

/**
 * Subscribes to attribute paths. Resolves once the publisher confirmed it (SubscribeResponse), with the priming
 * report; rejects with InteractionStatusError if the publisher refused it.
 */
export async function subscribe(exchanges: ExchangeManager, session: SecureSession, paths: readonly AttributePath[],
  options: SubscribeOptions = {}): Promise<Subscription> {
  const request = encodeSubscribeRequest({
    keepSubscriptions: options.keepSubscriptions ?? true,
    minIntervalFloor: options.minIntervalFloorSeconds ?? 0,
    maxIntervalCeiling: options.maxIntervalCeilingSeconds ?? 60,
    paths, fabricFiltered: options.fabricFiltered ?? true,
    ...(options.dataVersionFilters ? { dataVersionFilters: options.dataVersionFilters } : {}),
  });
  let receiver = receivers.get(exchanges);
  if (!receiver) receivers.set(exchanges, (receiver = new SubscriptionReceiver(exchanges)));
  const timeoutMs = options.timeoutMs ?? 10_000;
  const what = 'subscribe';
  const exchange = exchanges.initiate(session);
  try {
    await sendInteraction(exchange, InteractionOpcode.subscribeRequest, request);
    const priming: AttributeReport[] = [];
    let subscriptionId: number | undefined;
    for (let chunk = 1; ; chunk++) {
      if (chunk > MAX_CHUNKS + 1) throw new RangeError(`subscribe: more than ${MAX_CHUNKS} priming chunks`);
      const message = await nextInteraction(exchange, timeoutMs, what);
      if (message.opcode === InteractionOpcode.statusResponse) throw refusal(message, what);
      if (message.opcode === InteractionOpcode.reportData) {
        const report = decodeReportData(message.payload);
        if (report.subscriptionId === undefined || (subscriptionId !== undefined && report.subscriptionId !== subscriptionId)) {
          await sendStatus(exchange, Status.invalidSubscription);
          throw new Error(`subscribe: a priming report carried subscription id ${String(report.subscriptionId)}`);
        }
        subscriptionId = report.subscriptionId;
        priming.push(...report.attributeReports);
        await sendStatus(exchange, Status.success);
        continue;
      }
      if (message.opcode !== InteractionOpcode.subscribeResponse) throw new UnexpectedInteractionMessageError(what, message.protocolId, message.opcode);
      const response = decodeSubscribeResponse(message.payload);
      if (subscriptionId !== undefined && response.subscriptionId !== subscriptionId) {
        throw new Error(`subscribe: SubscribeResponse id 0x${response.subscriptionId.toString(16)} is not the priming report's`);
      }
      const owner = receiver;
      const subscription = new ClientSubscription(response.subscriptionId, response.maxInterval, session, priming, options,
        (s) => owner.remove(s));
      receiver.add(subscription);
      if (!(options.keepSubscriptions ?? true)) receiver.replacedBy(subscription);
      if (session.closed) subscription.lose('session-closed');
      return subscription;
    }
  } finally {
    await exchange.close();
  }
}
