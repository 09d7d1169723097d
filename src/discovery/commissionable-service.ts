// The commissionable node advertisement (Matter Core spec §4.3.1 "Commissionable Node Discovery"): service
// `_matterc._udp`, a random 64-bit instance name, subtypes by long and short discriminator, vendor, device type and
// commissioning mode, and the TXT keys a commissioner filters on (D, CM, VP, DT, DN, PH, PI, SII/SAI/SAT).
import type { SessionParameters } from '../session/session-parameters.js';
import { checkTxt, COMMISSIONABLE_SERVICE_TYPE, integerField, mrpTxt, upperHex, type DnssdService } from './dnssd-service.js';

/** §4.3.1.3 "Commissioning Mode" (TXT key CM). */
export const CommissioningMode = {
  /** Not in commissioning mode (extended discovery only). */
  none: 0,
  /** Basic: the onboarding passcode opens PASE (the initial window). */
  basic: 1,
  /** Enhanced: an administrator's OpenCommissioningWindow verifier opens PASE. */
  enhanced: 2,
} as const;

/** connectedhomeip TxtFields.h: DN at most 32 bytes, PI at most 128, PH fits 32 bits. */
export const MAX_DEVICE_NAME_BYTES = 32;
export const MAX_PAIRING_INSTRUCTION_BYTES = 128;

export interface CommissionableServiceInput {
  /** 12-bit discriminator (§5.1.1.5). */
  discriminator: number;
  /** 1 (basic window) or 2 (enhanced window); 0 for extended discovery outside a window. */
  mode: number;
  vendorId: number;
  productId: number;
  /** Primary device type (DT and the `_T` subtype), when known. */
  deviceType?: number | undefined;
  /** Device name (DN), at most 32 bytes of UTF-8. */
  deviceName?: string | undefined;
  /** Pairing hint bitmap (PH, §5.4.2.5.7) and, for hints that need one, the pairing instruction (PI). */
  pairingHint?: number | undefined;
  pairingInstruction?: string | undefined;
  sessionParameters: Pick<SessionParameters, 'idleInterval' | 'activeInterval' | 'activeThreshold'>;
  /** The 8-byte random instance id (§4.3.1.1); fresh random bytes when omitted. */
  instanceId?: Uint8Array | undefined;
}

/** A fresh §4.3.1.1 instance id: 64 random bits (a commissionable node must not be trackable by its name). */
export function randomInstanceId(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(8));
}

const utf8 = new TextEncoder();

export function commissionableService(input: CommissionableServiceInput): DnssdService {
  if (typeof input !== 'object' || input === null) throw new TypeError('commissionable service: expected an object');
  const discriminator = integerField('discriminator', input.discriminator, 0, 0xfff);
  const mode = integerField('mode', input.mode, 0, 2);
  const vendorId = integerField('vendorId', input.vendorId, 0, 0xffff);
  const productId = integerField('productId', input.productId, 0, 0xffff);
  const instanceId = input.instanceId ?? randomInstanceId();
  if (!(instanceId instanceof Uint8Array) || instanceId.length !== 8) throw new RangeError('instanceId: expected 8 bytes');
  // §4.3.1.2: the short discriminator is the discriminator's upper 4 bits (what an 11-digit manual code carries).
  const shortDiscriminator = discriminator >> 8;
  const subtypes = [`_L${discriminator}`, `_S${shortDiscriminator}`];
  if (vendorId !== 0) subtypes.push(`_V${vendorId}`);
  const deviceType = input.deviceType === undefined ? undefined : integerField('deviceType', input.deviceType, 0, 0xffffffff);
  if (deviceType !== undefined) subtypes.push(`_T${deviceType}`);
  // §4.3.1.3: `_CM` lets a commissioner browse only the nodes in commissioning mode.
  if (mode !== CommissioningMode.none) subtypes.push('_CM');

  const txt: Record<string, string> = { D: String(discriminator), CM: String(mode) };
  // §4.3.1.5: VP is "vendor+product"; the product part may be left out, never the vendor.
  if (vendorId !== 0) txt.VP = productId !== 0 ? `${vendorId}+${productId}` : String(vendorId);
  if (deviceType !== undefined) txt.DT = String(deviceType);
  if (input.deviceName !== undefined) {
    if (typeof input.deviceName !== 'string') throw new TypeError('deviceName: expected a string');
    const bytes = utf8.encode(input.deviceName).length;
    if (bytes > MAX_DEVICE_NAME_BYTES) throw new RangeError(`deviceName: expected at most ${MAX_DEVICE_NAME_BYTES} bytes of UTF-8, got ${bytes}`);
    txt.DN = input.deviceName;
  }
  Object.assign(txt, mrpTxt(input.sessionParameters));
  if (input.pairingHint !== undefined) txt.PH = String(integerField('pairingHint', input.pairingHint, 0, 0xffffffff));
  if (input.pairingInstruction !== undefined) {
    if (input.pairingHint === undefined) throw new TypeError('pairingInstruction: given without a pairingHint that needs it');
    if (typeof input.pairingInstruction !== 'string') throw new TypeError('pairingInstruction: expected a string');
    const bytes = utf8.encode(input.pairingInstruction).length;
    if (bytes > MAX_PAIRING_INSTRUCTION_BYTES) {
      throw new RangeError(`pairingInstruction: expected at most ${MAX_PAIRING_INSTRUCTION_BYTES} bytes of UTF-8, got ${bytes}`);
    }
    txt.PI = input.pairingInstruction;
  }
  return { type: COMMISSIONABLE_SERVICE_TYPE, instance: upperHex(instanceId), subtypes, txt: checkTxt(txt) };
}
