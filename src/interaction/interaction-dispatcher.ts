// One Interaction Model protocol handler per ExchangeManager (it routes by protocol id, one handler each), shared by
// the two roles that receive exchanges the peer opens: the server (requests) and a subscribing client (the
// ReportData of its subscriptions, which the publisher sends on exchanges it opens; spec "Subscribe Interaction").
import type { Exchange, ExchangeMessage } from '../protocol/exchange.js';
import type { ExchangeManager } from '../protocol/exchange-manager.js';
import { ProtocolId } from '../protocol/protocol-ids.js';
import { InteractionOpcode } from './opcodes.js';

export type InteractionHandler = (exchange: Exchange, first: ExchangeMessage) => Promise<void>;

export class InteractionDispatcher {
  /** Requests: Read, Subscribe, Write, Invoke, TimedRequest. */
  server: InteractionHandler | undefined;
  /** ReportData of subscriptions this node made as a client. */
  reports: InteractionHandler | undefined;

  constructor(exchanges: ExchangeManager) {
    exchanges.addProtocolHandler(ProtocolId.interactionModel, (exchange, first) => this.#route(exchange, first));
  }

  async #route(exchange: Exchange, first: ExchangeMessage): Promise<void> {
    const handler = first.opcode === InteractionOpcode.reportData && this.reports ? this.reports : this.server;
    if (handler) return handler(exchange, first);
    await exchange.close();
  }
}

const dispatchers = new WeakMap<ExchangeManager, InteractionDispatcher>();

/** The dispatcher of `exchanges`, installed as its Interaction Model handler on first use. */
export function interactionDispatcher(exchanges: ExchangeManager): InteractionDispatcher {
  let dispatcher = dispatchers.get(exchanges);
  if (!dispatcher) dispatchers.set(exchanges, (dispatcher = new InteractionDispatcher(exchanges)));
  return dispatcher;
}
