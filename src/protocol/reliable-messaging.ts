// Message Reliability Protocol parameters (spec "Message Reliability Protocol", MRP): a message sent with the R
// flag is retransmitted, with the same counter, until its ack arrives or MRP_MAX_TRANSMISSIONS is reached.
import type { SessionParameters } from '../session/session-parameters.js';

export const MRP = {
  maxTransmissions: 5,
  backoffBase: 1.6,
  backoffJitter: 0.25,
  backoffMargin: 1.1,
  backoffThreshold: 1,
  /** How long a pending ack may wait for a message to piggy-back on before a standalone ack is sent. */
  standaloneAckTimeoutMs: 200,
} as const;

/**
 * Milliseconds to wait after transmission number `retransmissions` (0 = the first send) before retransmitting:
 * i * MARGIN * BASE^max(0, n - THRESHOLD) * (1 + random * JITTER), where i is the peer's active interval when
 * the peer is active and its idle interval otherwise.
 */
export function retransmissionDelay(peer: SessionParameters, peerActive: boolean, retransmissions: number,
  random: () => number = Math.random): number {
  const base = peerActive ? peer.activeInterval : peer.idleInterval;
  const backoff = MRP.backoffBase ** Math.max(0, retransmissions - MRP.backoffThreshold);
  return base * MRP.backoffMargin * backoff * (1 + random() * MRP.backoffJitter);
}
