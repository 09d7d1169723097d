// The Manual Pairing Code (Matter Core spec "Manual Pairing Code"): the digits printed under a device's QR code.
// 11 digits: chunk1 (1 digit) | chunk2 (5) | chunk3 (4) | Verhoeff check digit; 21 digits add the vendor id (5) and
// product id (5) before the check digit. Only the upper 4 bits of the 12-bit discriminator survive (the short
// discriminator), enough to narrow down which advertising device to talk to.

export interface ManualPairingCode {
  /** The setup passcode PASE proves (27 bits). */
  passcode: number;
  /** The upper 4 bits of the 12-bit discriminator: 3840 (0xF00) appears as 15. */
  shortDiscriminator: number;
  /** Present in 21-digit codes only. */
  vendorId?: number;
  productId?: number;
}

export class ManualPairingCodeError extends Error {
  override name = 'ManualPairingCodeError';
}

export class InvalidPasscodeError extends Error {
  override name = 'InvalidPasscodeError';
}

/** The spec's "Setup PIN Code" bounds and the values it forbids because they are too easy to guess. */
const MIN_PASSCODE = 1;
const MAX_PASSCODE = 99999998;
const FORBIDDEN_PASSCODES = new Set([
  0, 11111111, 22222222, 33333333, 44444444, 55555555, 66666666, 77777777, 88888888, 99999999, 12345678, 87654321,
]);

/** Throws InvalidPasscodeError for a passcode a device may not use; returns it otherwise. */
export function checkSetupPasscode(passcode: number): number {
  if (!Number.isInteger(passcode) || passcode < MIN_PASSCODE || passcode > MAX_PASSCODE) {
    throw new InvalidPasscodeError(`passcode must be an integer from ${MIN_PASSCODE} to ${MAX_PASSCODE}, got ${passcode}`);
  }
  if (FORBIDDEN_PASSCODES.has(passcode)) {
    throw new InvalidPasscodeError(`passcode ${String(passcode).padStart(8, '0')} is one the spec forbids as too easy to guess`);
  }
  return passcode;
}

// Verhoeff's dihedral-group check digit (the spec's algorithm for the last digit): catches every single-digit
// error and every swap of adjacent digits.
const MULTIPLY = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const PERMUTE = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const INVERSE = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

/** The Verhoeff check digit for a string of decimal digits. */
export function verhoeffCheckDigit(digits: string): number {
  let check = 0;
  for (let i = 0; i < digits.length; i++) {
    const digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    check = MULTIPLY[check]![PERMUTE[(i + 1) % 8]![digit]!]!;
  }
  return INVERSE[check]!;
}

const SHORT_LENGTH = 11;
const LONG_LENGTH = 21;
const VID_PID_PRESENT = 0b100;

/**
 * Decodes an 11- or 21-digit manual pairing code; dashes and spaces between digits are ignored
 * ("3497-011-2332"). Throws ManualPairingCodeError for anything malformed, a wrong check digit or a passcode
 * the spec forbids.
 */
export function decodeManualPairingCode(text: string): ManualPairingCode {
  const digits = text.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits)) throw new ManualPairingCodeError('a manual pairing code has only digits (dashes and spaces allowed)');
  if (digits.length !== SHORT_LENGTH && digits.length !== LONG_LENGTH) {
    throw new ManualPairingCodeError(`a manual pairing code has ${SHORT_LENGTH} or ${LONG_LENGTH} digits, this one ${digits.length}`);
  }
  const payload = digits.slice(0, -1);
  if (verhoeffCheckDigit(payload) !== Number(digits.at(-1))) {
    throw new ManualPairingCodeError('the check digit does not match: a digit was mistyped');
  }
  const chunk1 = Number(digits.slice(0, 1));
  // A first digit of 8 or 9 would set bit 3, which the spec reserves for future code versions.
  if (chunk1 > 7) throw new ManualPairingCodeError(`a first digit of ${chunk1} is reserved for future code versions`);
  const long = (chunk1 & VID_PID_PRESENT) !== 0;
  if (long !== (digits.length === LONG_LENGTH)) {
    throw new ManualPairingCodeError(long
      ? `the first digit announces a vendor and product id, which takes ${LONG_LENGTH} digits`
      : `the first digit announces no vendor and product id, which takes ${SHORT_LENGTH} digits`);
  }
  const chunk2 = Number(digits.slice(1, 6));
  const chunk3 = Number(digits.slice(6, 10));
  if (chunk2 > 0xffff) throw new ManualPairingCodeError(`digits 2-6 (${digits.slice(1, 6)}) exceed 16 bits`);
  if (chunk3 > 0x1fff) throw new ManualPairingCodeError(`digits 7-10 (${digits.slice(6, 10)}) exceed 13 bits`);
  const passcode = (chunk3 << 14) | (chunk2 & 0x3fff);
  try {
    checkSetupPasscode(passcode);
  } catch (error) {
    throw new ManualPairingCodeError(`the code holds an invalid passcode: ${(error as Error).message}`, { cause: error });
  }
  const code: ManualPairingCode = { passcode, shortDiscriminator: ((chunk1 & 0b11) << 2) | (chunk2 >> 14) };
  if (long) {
    code.vendorId = checkedId(digits.slice(10, 15), 'vendor');
    code.productId = checkedId(digits.slice(15, 20), 'product');
  }
  return code;
}

function checkedId(digits: string, what: string): number {
  const id = Number(digits);
  if (id > 0xffff) throw new ManualPairingCodeError(`the ${what} id ${digits} exceeds 16 bits`);
  return id;
}

/** Encodes an 11-digit code (or 21 digits with vendor and product id): the inverse of decodeManualPairingCode. */
export function encodeManualPairingCode(code: ManualPairingCode): string {
  checkSetupPasscode(code.passcode);
  if (!Number.isInteger(code.shortDiscriminator) || code.shortDiscriminator < 0 || code.shortDiscriminator > 15) {
    throw new RangeError(`shortDiscriminator must be 0-15, got ${code.shortDiscriminator}`);
  }
  const long = code.vendorId !== undefined || code.productId !== undefined;
  const chunk1 = (long ? VID_PID_PRESENT : 0) | (code.shortDiscriminator >> 2);
  const chunk2 = ((code.shortDiscriminator & 0b11) << 14) | (code.passcode & 0x3fff);
  const chunk3 = code.passcode >> 14;
  let payload = `${chunk1}${String(chunk2).padStart(5, '0')}${String(chunk3).padStart(4, '0')}`;
  if (long) {
    for (const [id, what] of [[code.vendorId, 'vendorId'], [code.productId, 'productId']] as const) {
      if (id === undefined || !Number.isInteger(id) || id < 0 || id > 0xffff) throw new RangeError(`${what} must be 0-65535, got ${id}`);
      payload += String(id).padStart(5, '0');
    }
  }
  return payload + verhoeffCheckDigit(payload);
}
