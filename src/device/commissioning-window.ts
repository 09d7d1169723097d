// The commissioning window (Matter Core spec §5.4.2.3 "Announcement duration", §11.19 "Administrator
// Commissioning"): PASE is answered only while a window is open — the initial one with the onboarding passcode
// while the node has no fabric, or one an administrator opens with a fresh PAKE verifier (enhanced window, so a
// second controller can join). Closing the window (timeout, RevokeCommissioning, CommissioningComplete) stops new
// PASE handshakes; a PBKDFParamRequest then gets Busy. Sigma1 goes to CASE in every case.
import type { Exchange, ExchangeMessage } from '../protocol/exchange.js';
import type { ExchangeManager, ProtocolHandler } from '../protocol/exchange-manager.js';
import { ProtocolId, SecureChannelOpcode } from '../protocol/protocol-ids.js';
import { PaseResponder } from '../protocol/pase/pase-responder.js';
import { busy, sendStatus } from '../protocol/pase/pase-steps.js';
import type { VerifierSecrets } from '../crypto/passcode-verifier.js';
import type { DeviceScheduler } from './device-scheduler.js';

/** CommissioningWindowStatusEnum (spec §11.19.5.1). */
export const WindowStatus = { windowNotOpen: 0, enhancedWindowOpen: 1, basicWindowOpen: 2 } as const;

export interface WindowVerifier extends VerifierSecrets {
  salt: Uint8Array;
  iterations: number;
}

export class CommissioningWindow {
  #status: number = WindowStatus.windowNotOpen;
  #adminFabricIndex: number | null = null;
  #adminVendorId: number | null = null;
  #pase: ProtocolHandler | undefined;
  #responder: PaseResponder | undefined;
  #timer: unknown;
  #caseHandler: ProtocolHandler | undefined;

  /**
   * Install before the CaseResponder: it passes every secure-channel opcode but Sigma1 to the handler it finds,
   * which is this window's. `onChange` is told whenever the status or admin attributes change.
   */
  constructor(private readonly exchanges: ExchangeManager, private readonly scheduler: DeviceScheduler,
    private readonly onChange: () => void, private readonly options: { iterations?: number } = {}) {
    exchanges.addProtocolHandler(ProtocolId.secureChannel, (exchange, first) => this.#route(exchange, first));
  }

  /** Call once the CaseResponder is installed: opening a window (a new PaseResponder) must not displace it. */
  keepCaseHandler(): void {
    this.#caseHandler = this.exchanges.protocolHandler(ProtocolId.secureChannel);
  }

  get status(): number {
    return this.#status;
  }

  get isOpen(): boolean {
    return this.#status !== WindowStatus.windowNotOpen;
  }

  get adminFabricIndex(): number | null {
    return this.#adminFabricIndex;
  }

  get adminVendorId(): number | null {
    return this.#adminVendorId;
  }

  /** The initial window with the onboarding passcode (no timeout unless given). */
  openWithPasscode(passcode: number, timeoutMs?: number): void {
    this.#open({ passcode, iterations: this.options.iterations ?? 1000 }, WindowStatus.basicWindowOpen, null, null, timeoutMs);
  }

  /** An enhanced window (OpenCommissioningWindow) with the administrator's verifier. */
  openWithVerifier(verifier: WindowVerifier, timeoutMs: number, adminFabricIndex: number, adminVendorId: number): void {
    this.#open({ verifier }, WindowStatus.enhancedWindowOpen, adminFabricIndex, adminVendorId, timeoutMs);
  }

  close(): void {
    if (this.#timer !== undefined) this.scheduler.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pase = undefined;
    this.#responder = undefined;
    const changed = this.#status !== WindowStatus.windowNotOpen;
    this.#status = WindowStatus.windowNotOpen;
    this.#adminFabricIndex = this.#adminVendorId = null;
    if (changed) this.onChange();
  }

  #open(secret: { passcode: number; iterations: number } | { verifier: WindowVerifier }, status: number,
    adminFabricIndex: number | null, adminVendorId: number | null, timeoutMs: number | undefined): void {
    this.close();
    // PaseResponder installs itself as the secure-channel handler; take its handler and put the router back.
    const responder = new PaseResponder(this.exchanges, { ...secret, onWindowClosed: () => this.close() });
    this.#pase = this.exchanges.protocolHandler(ProtocolId.secureChannel);
    this.exchanges.addProtocolHandler(ProtocolId.secureChannel, this.#caseHandler ?? ((e, f) => this.#route(e, f)));
    this.#responder = responder;
    this.#status = status;
    this.#adminFabricIndex = adminFabricIndex;
    this.#adminVendorId = adminVendorId;
    if (timeoutMs !== undefined) this.#timer = this.scheduler.setTimeout(() => this.close(), timeoutMs);
    this.onChange();
  }

  async #route(exchange: Exchange, first: ExchangeMessage): Promise<void> {
    if (first.opcode === SecureChannelOpcode.pbkdfParamRequest && this.#pase && this.#responder) {
      return this.#pase(exchange, first);
    }
    if (first.opcode === SecureChannelOpcode.pbkdfParamRequest) {
      // No window: the spec's device does not take PASE; Busy tells a commissioner so at once.
      await sendStatus(exchange, busy(5000)).catch(() => {});
    }
    await exchange.close().catch(() => {});
  }
}
