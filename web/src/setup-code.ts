// What the user types to pair: the 8-digit setup passcode or the 11/21-digit manual pairing code printed on the
// device (dashes and spaces allowed in either).
import { checkSetupPasscode, decodeManualPairingCode, InvalidPasscodeError } from '../../src/web.js';

const PASSCODE_DIGITS = 8;

/** The passcode in `text`; throws InvalidPasscodeError or ManualPairingCodeError saying what is wrong. */
export function passcodeFromSetupCode(text: string): number {
  const digits = text.replace(/[\s-]/g, '');
  if (digits.length === PASSCODE_DIGITS && /^\d+$/.test(digits)) return checkSetupPasscode(Number(digits));
  if (digits.length > PASSCODE_DIGITS) return decodeManualPairingCode(text).passcode;
  throw new InvalidPasscodeError('enter the 8-digit passcode or the 11-digit manual pairing code');
}
