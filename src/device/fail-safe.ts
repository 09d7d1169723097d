// The fail-safe (Matter Core spec §11.10.7.2 "ArmFailSafe", §11.10.7.2.2 "Behavior on expiry of Fail-Safe
// timer"): while it is armed a commissioner may add a trusted root, a NOC and ACL entries; whatever it added lives in
// this context until CommissioningComplete commits it, and is rolled back if the timer expires or the commissioner
// disarms it (expiry 0). Re-arming extends the timer, but never past MaxCumulativeFailsafeSeconds from the first arm.
import { sha256 } from '../crypto/hashes.js';
import type { P256KeyPair } from '../crypto/p256.js';
import type { SecureSession } from '../session/secure-session.js';
import type { AclEntry } from './access-control-entry.js';
import type { DeviceScheduler } from './device-scheduler.js';
import type { FabricRecord } from './node-fabric-table.js';

/** What the current fail-safe has added or changed, to commit or to roll back. */
export interface FailSafeContext {
  /**
   * The session that armed it (its identity, see sessionIdentity: an edge fleet's other instances hold their own
   * copy of the same session), its id and kind, and its fabric then (undefined over PASE before AddNOC).
   */
  readonly sessionKey: string;
  readonly sessionId: number;
  readonly sessionKind: SecureSession['kind'];
  readonly armedFabricIndex: number | undefined;
  /** The ACL as it was when armed (restored on rollback). */
  readonly aclSnapshot: readonly AclEntry[];
  /** AddTrustedRootCertificate's root (Matter TLV), not yet part of a fabric. */
  rootCertificate?: Uint8Array;
  /** The operational key pair of the last CSRRequest, the session it came on, and whether it is for UpdateNOC. */
  csr?: { keyPair: P256KeyPair; sessionId: number; forUpdateNoc: boolean };
  /** The fabric AddNOC created in this context. */
  addedFabricIndex?: number;
  /** UpdateNOC's fabric as it was before (restored on rollback). */
  previousRecord?: FabricRecord;
}

export const DEFAULT_MAX_CUMULATIVE_FAILSAFE_SECONDS = 900;

const identities = new WeakMap<SecureSession, string>();

/**
 * A session's identity across copies of it: its id and a digest of its attestation challenge (derived from its
 * keys, spec §4.13.2.6), so a later session under the same id is another session. Computed once per session.
 */
export function sessionIdentity(session: SecureSession): string {
  let identity = identities.get(session);
  if (identity === undefined) {
    const challenge = session.attestationChallenge as Uint8Array | undefined;
    // A stand-in without keys (a test's) is only ever itself.
    const digest = challenge instanceof Uint8Array ? sha256(challenge).subarray(0, 8) : crypto.getRandomValues(new Uint8Array(8));
    identity = `${session.id}:${Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')}`;
    identities.set(session, identity);
  }
  return identity;
}

export class FailSafe {
  #context: FailSafeContext | undefined;
  #timer: unknown;
  #firstArmedAt = 0;
  #until = 0;

  /** `onExpire` rolls the context back; it runs when the timer fires. */
  constructor(private readonly scheduler: DeviceScheduler, private readonly onExpire: (context: FailSafeContext) => void,
    readonly maxCumulativeSeconds = DEFAULT_MAX_CUMULATIVE_FAILSAFE_SECONDS) {}

  get armed(): boolean {
    return this.#context !== undefined;
  }

  get context(): FailSafeContext | undefined {
    return this.#context;
  }

  /** When it was first armed and when it expires (the scheduler's clock, ms); 0 while disarmed. */
  get firstArmedAt(): number {
    return this.#context ? this.#firstArmedAt : 0;
  }

  get expiresAt(): number {
    return this.#context ? this.#until : 0;
  }

  /** Whether `session` (or another copy of it) armed the current fail-safe. */
  armedBy(session: SecureSession): boolean {
    return this.#context !== undefined && this.#context.sessionKey === sessionIdentity(session);
  }

  /** Arms (or re-arms, keeping the context) for `seconds`, capped by the cumulative limit. */
  arm(seconds: number, session: SecureSession, fabricIndex: number | undefined, aclSnapshot: readonly AclEntry[]): void {
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 0xffff) throw new RangeError(`seconds: expected 1 to 65535, got ${String(seconds)}`);
    const now = this.scheduler.now();
    if (!this.#context) {
      this.#context = {
        sessionKey: sessionIdentity(session), sessionId: session.id, sessionKind: session.kind, armedFabricIndex: fabricIndex,
        aclSnapshot: aclSnapshot.map((e) => ({ ...e })),
      };
      this.#firstArmedAt = now;
    }
    const remainingCumulative = this.#firstArmedAt + this.maxCumulativeSeconds * 1000 - now;
    const ms = Math.max(0, Math.min(seconds * 1000, remainingCumulative));
    this.#schedule(now + ms);
  }

  /**
   * Takes over a fail-safe armed elsewhere (another instance of an edge fleet): its context, first arming and expiry.
   * The context this one held, if another, is wiped without a rollback (the shared copy is the one that counts).
   */
  adopt(context: FailSafeContext, firstArmedAt: number, expiresAt: number): void {
    const previous = this.#context;
    if (previous && previous !== context && previous.csr && previous.csr.keyPair !== context.csr?.keyPair) previous.csr.keyPair.privateKey.fill(0);
    this.#context = context;
    this.#firstArmedAt = firstArmedAt;
    this.#schedule(expiresAt);
  }

  #schedule(until: number): void {
    this.#until = until;
    if (this.#timer !== undefined) this.scheduler.clearTimeout(this.#timer);
    this.#timer = this.scheduler.setTimeout(() => this.expire(), Math.max(0, until - this.scheduler.now()));
  }

  /** Ends the fail-safe now and rolls its context back (expiry, or ArmFailSafe with 0). */
  expire(): void {
    const context = this.#end();
    if (context) this.onExpire(context);
  }

  /** Ends the fail-safe keeping what it added (CommissioningComplete); returns the context to commit. */
  disarm(): FailSafeContext | undefined {
    return this.#end();
  }

  #end(): FailSafeContext | undefined {
    if (this.#timer !== undefined) this.scheduler.clearTimeout(this.#timer);
    this.#timer = undefined;
    const context = this.#context;
    this.#context = undefined;
    if (context?.csr) context.csr.keyPair.privateKey.fill(0);
    return context;
  }
}
