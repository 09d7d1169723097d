// Replay protection for received messages (spec "Message Counter Processing"; the reference SDK's
// PeerMessageCounter): the highest counter committed plus a 32-counter bitmap of the ones just behind it.
// Verifying and committing are separate steps because the session layer checks the counter before decryption but may
// record it only once the MIC has checked out: a forged message must leave the window as it was.
import { uint32 } from '../core/arguments.js';

/**
 * What a received message counter means to the session layer.
 * - `new`: never seen; process the message and `commit` the counter once its MIC checked out.
 * - `duplicate`: seen before, or too far behind to tell (the spec counts those as duplicates too); drop the payload,
 *   but still acknowledge it if it asked for an ack, so a retransmitting peer stops retransmitting.
 * - `rejected`: the window cannot judge yet (a secure session before activation); drop the message, send nothing.
 */
export type CounterVerdict = 'new' | 'duplicate' | 'rejected';

const WINDOW_SIZE = 32;
/** With rollover, counters up to 2^31 - 1 ahead of the max (mod 2^32) are new. */
const FUTURE_SPAN = 0x7fffffff;
/** `max` before any counter was trusted or set. */
const NOT_SYNCED = -1;

abstract class ReceptionWindow {
  /** The highest counter committed, or NOT_SYNCED. */
  protected max = NOT_SYNCED;
  /** Bit i set: counter max - 1 - i was committed. */
  protected seen = 0;

  /** The verdict for a counter `behind` (mod 2^32) the max; `beyondWindow` for those the bitmap no longer covers. */
  protected verdictBehind(behind: number, beyondWindow: CounterVerdict): CounterVerdict {
    if (behind === 0) return 'duplicate';
    if (behind > WINDOW_SIZE) return beyondWindow;
    return this.seen & (1 << (behind - 1)) ? 'duplicate' : 'new';
  }

  /** Records `counter`, `ahead` (1 .. 2^32 - 1) past the max, as the new max; the bitmap slides with it. */
  protected advance(counter: number, ahead: number): void {
    const shifted = ahead < WINDOW_SIZE ? this.seen << ahead : 0;
    this.seen = ahead <= WINDOW_SIZE ? shifted | (1 << (ahead - 1)) : 0;
    this.max = counter;
  }

  /** Records a counter `behind` the max; only counters inside the bitmap leave a trace. */
  protected markBehind(behind: number): void {
    if (behind >= 1 && behind <= WINDOW_SIZE) this.seen |= 1 << (behind - 1);
  }

  protected restartAt(counter: number): void {
    this.max = counter;
    this.seen = 0;
  }

  protected verifyWithRollover(counter: number, beyondWindow: CounterVerdict): CounterVerdict {
    uint32('counter', counter);
    if (this.max === NOT_SYNCED) return 'new';
    const ahead = (counter - this.max) >>> 0;
    if (ahead !== 0 && ahead <= FUTURE_SPAN) return 'new';
    return this.verdictBehind((this.max - counter) >>> 0, beyondWindow);
  }

  protected commitWithRollover(counter: number, restartBeyondWindow: boolean): void {
    uint32('counter', counter);
    if (this.max === NOT_SYNCED) return this.restartAt(counter);
    const ahead = (counter - this.max) >>> 0;
    if (ahead !== 0 && ahead <= FUTURE_SPAN) return this.advance(counter, ahead);
    const behind = (this.max - counter) >>> 0;
    if (behind > WINDOW_SIZE && restartBeyondWindow) return this.restartAt(counter);
    this.markBehind(behind);
  }
}

/**
 * Secure unicast (PASE/CASE) traffic: counters never roll over. Not synced until `setCounter`; activation sets 0, so
 * the peer's first counter (at least 1) is new and 0 never is.
 * `commit` records a counter `verify` called new; for any other counter it changes nothing.
 */
export class SecureUnicastReceptionWindow extends ReceptionWindow {
  /** Forgets every counter seen: `value` becomes the max, everything behind it a duplicate. */
  setCounter(value: number): void {
    this.restartAt(uint32('value', value));
  }

  verify(counter: number): CounterVerdict {
    uint32('counter', counter);
    if (this.max === NOT_SYNCED) return 'rejected';
    if (counter > this.max) return 'new';
    return this.verdictBehind(this.max - counter, 'duplicate');
  }

  commit(counter: number): void {
    uint32('counter', counter);
    if (this.max === NOT_SYNCED) return;
    if (counter > this.max) this.advance(counter, counter - this.max);
    else this.markBehind(this.max - counter);
  }
}

/**
 * Group traffic, one window per sender: the first counter from an unknown sender is trusted (taken as the max once
 * committed); afterwards max+1 .. max+2^31-1 (mod 2^32) are new and the rest behind the bitmap are duplicates.
 * `commit` records a counter `verify` called new; for any other counter it changes nothing.
 */
export class GroupReceptionWindow extends ReceptionWindow {
  verify(counter: number): CounterVerdict {
    return this.verifyWithRollover(counter, 'duplicate');
  }

  commit(counter: number): void {
    this.commitWithRollover(counter, false);
  }
}

/**
 * Unencrypted traffic (the handshakes' unsecured sessions), one window per peer: the first counter is trusted, and
 * counters behind the bitmap are new because the peer may have rebooted with a fresh random counter; committing one
 * restarts the window there.
 */
export class UnencryptedReceptionWindow extends ReceptionWindow {
  verify(counter: number): CounterVerdict {
    return this.verifyWithRollover(counter, 'new');
  }

  commit(counter: number): void {
    this.commitWithRollover(counter, true);
  }
}
