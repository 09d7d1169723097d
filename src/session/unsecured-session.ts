// An unsecured session (session id 0): the channel PASE and CASE handshakes run on. It is named by the initiator's
// random ephemeral node id, which travels as the source node on the initiator's messages and as the destination
// on the responder's.
import type { SessionChannel } from './session-channel.js';
import { UnencryptedReceptionWindow } from './reception-window.js';

export class UnsecuredSession {
  readonly id = 0;
  /** The initiator's ephemeral node id: ours when we initiate, the peer's when we respond. */
  readonly ephemeralNodeId: bigint;
  readonly isInitiator: boolean;
  readonly channel: SessionChannel | undefined;
  readonly peerWindow = new UnencryptedReceptionWindow();
  lastActivity: number;
  /** @internal */ detachChannel: (() => void) | undefined;

  constructor(ephemeralNodeId: bigint, isInitiator: boolean, channel: SessionChannel | undefined, now: number) {
    this.ephemeralNodeId = ephemeralNodeId;
    this.isInitiator = isInitiator;
    this.channel = channel;
    this.lastActivity = now;
  }
}

/** A random 64-bit node id in the range the spec sets aside for ephemeral (unsecured) initiators. */
export function randomEphemeralNodeId(): bigint {
  const words = crypto.getRandomValues(new Uint32Array(2));
  // Operational node ids stop at 0xFFFF_FFEF_FFFF_FFFF; any non-zero random 64-bit value is acceptable here.
  const id = (BigInt(words[0]!) << 32n) | BigInt(words[1]!);
  return id === 0n ? 1n : id;
}
