// Manual pairing codes: the spec's example, dashes and spaces, 21-digit codes, every single-digit typo and adjacent
// swap caught by the Verhoeff digit, reserved first digits, forbidden passcodes, and encode/decode round trips.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  checkSetupPasscode, decodeManualPairingCode, encodeManualPairingCode, InvalidPasscodeError, ManualPairingCodeError,
  verhoeffCheckDigit,
} from '../src/commissioning/manual-pairing-code.js';

const rejects = (text: string, pattern: RegExp) =>
  assert.throws(() => decodeManualPairingCode(text), (e: unknown) => e instanceof ManualPairingCodeError && pattern.test(e.message), text);

describe('manual pairing code', () => {
  it('decodes the spec example 34970112332: passcode 20202021, short discriminator 15 (of 3840)', () => {
    assert.deepEqual(decodeManualPairingCode('34970112332'), { passcode: 20202021, shortDiscriminator: 15 });
    assert.equal(3840 >> 8, 15, 'the short discriminator is the upper 4 of the 12 bits');
  });

  it('ignores dashes and spaces', () => {
    for (const text of ['3497-011-2332', '3497 011 2332', ' 34970-1123-32 ']) {
      assert.equal(decodeManualPairingCode(text).passcode, 20202021, text);
    }
  });

  it('computes Verhoeff check digits of known strings', () => {
    assert.equal(verhoeffCheckDigit('236'), 3);
    assert.equal(verhoeffCheckDigit('12345'), 1);
    assert.equal(verhoeffCheckDigit('3497011233'), 2);
  });

  it('catches every single mistyped digit and every swap of adjacent different digits', () => {
    const good = '34970112332';
    for (let i = 0; i < good.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === good[i]) continue;
        const typo = good.slice(0, i) + d + good.slice(i + 1);
        assert.throws(() => decodeManualPairingCode(typo), ManualPairingCodeError, typo);
      }
      if (i + 1 < good.length && good[i] !== good[i + 1]) {
        const swapped = good.slice(0, i) + good[i + 1] + good[i] + good.slice(i + 2);
        assert.throws(() => decodeManualPairingCode(swapped), ManualPairingCodeError, swapped);
      }
    }
  });

  it('rejects wrong lengths, letters, a bad check digit, reserved first digits, a length that contradicts digit 1', () => {
    rejects('3497011233', /11 or 21 digits/);
    rejects('349701123321', /11 or 21 digits/);
    rejects('3497O112332', /only digits/);
    rejects('', /only digits/);
    rejects('34970112331', /check digit/);
    const withCheck = (payload: string) => payload + verhoeffCheckDigit(payload);
    rejects(withCheck('8497011233'), /reserved/);
    rejects(withCheck('9497011233'), /reserved/);
    rejects(withCheck('7497011233'), /21 digits/);
    rejects(withCheck('34970112336553332768'), /11 digits/);
    rejects(withCheck('3700001233'), /exceed 16 bits/);
    rejects(withCheck('3000009999'), /exceed 13 bits/);
  });

  it('rejects codes holding a passcode the spec forbids, with the reason', () => {
    const codeFor = (passcode: number) => {
      const chunk2 = passcode & 0x3fff, chunk3 = passcode >> 14;
      const payload = `0${String(chunk2).padStart(5, '0')}${String(chunk3).padStart(4, '0')}`;
      return payload + verhoeffCheckDigit(payload);
    };
    rejects(codeFor(0), /invalid passcode.*from 1 to 99999998/);
    rejects(codeFor(11111111), /invalid passcode.*forbids/);
    rejects(codeFor(12345678), /invalid passcode.*forbids/);
    rejects(codeFor(99999999), /invalid passcode/);
    assert.equal(decodeManualPairingCode(codeFor(1)).passcode, 1);
    assert.equal(decodeManualPairingCode(codeFor(99999998)).passcode, 99999998);
  });

  it('checkSetupPasscode accepts 8-digit passcodes and names what is wrong with the rest', () => {
    assert.equal(checkSetupPasscode(20202021), 20202021);
    for (const bad of [0, -1, 1.5, 100000000, 87654321, 33333333]) {
      assert.throws(() => checkSetupPasscode(bad), InvalidPasscodeError, String(bad));
    }
  });

  it('decodes 21-digit codes with vendor and product id', () => {
    const code = encodeManualPairingCode({ passcode: 20202021, shortDiscriminator: 15, vendorId: 0xfff1, productId: 0x8000 });
    assert.equal(code.length, 21);
    assert.equal(code[0], '7');
    assert.deepEqual(decodeManualPairingCode(code), { passcode: 20202021, shortDiscriminator: 15, vendorId: 0xfff1, productId: 0x8000 });
  });

  it('encode and decode are inverses', () => {
    assert.equal(encodeManualPairingCode({ passcode: 20202021, shortDiscriminator: 15 }), '34970112332');
    const passcode = fc.integer({ min: 1, max: 99999998 }).filter((p) => !/^(\d)\1{7}$/.test(String(p).padStart(8, '0')) && p !== 12345678 && p !== 87654321);
    const id = fc.integer({ min: 0, max: 0xffff });
    fc.assert(fc.property(passcode, fc.integer({ min: 0, max: 15 }), fc.option(fc.tuple(id, id), { nil: undefined }), (p, d, ids) => {
      const code = ids ? { passcode: p, shortDiscriminator: d, vendorId: ids[0], productId: ids[1] } : { passcode: p, shortDiscriminator: d };
      assert.deepEqual(decodeManualPairingCode(encodeManualPairingCode(code)), code);
    }));
  });
});
