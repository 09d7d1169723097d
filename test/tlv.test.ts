// Matter TLV: every shared vector decoded and encoded (deep equality here, the conformance suite's own comparison
// below), the struct builders and field reader, and fuzzing: random and mutated bytes must decode or throw
// MalformedTlvError, and whatever decodes must encode back to the same bytes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as lib from '../src/codec/tlv.js';
import {
  MalformedTlvError, TlvFieldError, decodeTlv, decodeTlvSequence, decodeTlvStruct, encodeTlv, encodeTlvSequence, tlv,
  type TlvElement, type TlvInteger, type TlvTag, type TlvWidth,
} from '../src/codec/tlv.js';
import { tlvChecks, vectorElement, type TlvVector } from './conformance/tlv-suite.js';

const { vectors } = JSON.parse(readFileSync(new URL('../../shared/vectors/tlv.json', import.meta.url), 'utf8')) as
  { vectors: TlvVector[] };
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('TLV vectors (tlv.json)', () => {
  it('holds the 74 vectors this file checks', () => assert.equal(vectors.length, 74));
  for (const v of vectors) {
    it(`${v.id}: decode equals the typed value and encode equals the hex`, () => {
      const bytes = hex(v.hex);
      if ('sequence' in v.value) {
        const expected = v.value.sequence.map(vectorElement);
        assert.deepStrictEqual(decodeTlvSequence(bytes), expected);
        assert.equal(toHex(encodeTlvSequence(expected)), v.hex);
      } else {
        const expected = vectorElement(v.value);
        assert.deepStrictEqual(decodeTlv(bytes), expected);
        assert.equal(toHex(encodeTlv(expected)), v.hex);
      }
    });
  }
});

describe('TLV conformance suite (Node)', () => {
  for (const check of tlvChecks(lib, { tlvVectors: vectors })) it(check.name, () => check.run());
});

describe('TLV decoding details', () => {
  it('reads from a subarray of a larger buffer and copies octet strings out of it', () => {
    const backing = hex('ffff' + '10020102' + 'ffff');
    const input = backing.subarray(2, 6);
    const element = decodeTlv(input);
    assert.deepStrictEqual(element, { type: 'bytes', value: hex('0102') });
    input[2] = 0x99;
    assert.deepStrictEqual(element.value, hex('0102'));
  });

  it('gives a 64-bit value a number when it is safe and a bigint when it is not', () => {
    assert.deepStrictEqual(decodeTlv(hex('07ffffffffffff1f00')), { type: 'uint', value: 2 ** 53 - 1 });
    assert.deepStrictEqual(decodeTlv(hex('070000000000002000')), { type: 'uint', value: 2n ** 53n });
    assert.deepStrictEqual(decodeTlv(hex('0300000000000000e0')), { type: 'int', value: -(2n ** 61n) });
  });

  it('records non-minimal tag forms so they re-encode as they came', () => {
    for (const [input, tag] of [
      ['7405000000', { common: 5, tagWidth: 4 }],
      ['b4ffff0000', { implicit: 0xffff, tagWidth: 4 }],
      ['f4f1ffedde01000000', { vendor: 0xfff1, profile: 0xdeed, tag: 1, tagWidth: 8 }],
    ] as const) {
      const element = decodeTlv(hex(input));
      assert.deepStrictEqual(element, { tag, type: 'null' });
      assert.equal(toHex(encodeTlv(element)), input);
    }
  });

  it('decodes a list of 100,000 nulls and refuses 100,000 opening brackets at the nesting limit', () => {
    const flat = new Uint8Array(100_002).fill(0x14);
    flat[0] = 0x17;
    flat[100_001] = 0x18;
    const list = decodeTlv(flat);
    assert.equal(list.type === 'list' && list.elements.length, 100_000);
    assert.deepStrictEqual(encodeTlv(list), flat);
    const deep = new Uint8Array(100_000).fill(0x16);
    assert.throws(() => decodeTlv(deep), (e: unknown) => e instanceof MalformedTlvError && e.offset === 32);
  });

  it('an error says where: name, offset and message', () => {
    assert.throws(() => decodeTlv(hex('1524010124')), (e: unknown) => {
      assert.ok(e instanceof MalformedTlvError && e instanceof Error);
      assert.equal(e.name, 'MalformedTlvError');
      assert.equal(e.offset, 5);
      assert.equal(e.message, 'malformed TLV at byte 5: truncated context tag: needs 1 bytes, 0 remain');
      return true;
    });
  });

  it('refuses input that is not a Uint8Array with a TypeError naming bytes', () => {
    assert.throws(() => decodeTlv([0x14] as never), { name: 'TypeError', message: /bytes/ });
    assert.throws(() => decodeTlvSequence('14' as never), { name: 'TypeError', message: /bytes/ });
  });

  it('an empty input is an empty sequence but not an element', () => {
    assert.deepStrictEqual(decodeTlvSequence(new Uint8Array(0)), []);
    assert.throws(() => decodeTlv(new Uint8Array(0)), /at byte 0: truncated/);
  });
});

describe('TLV builders and field reader', () => {
  const message = tlv.struct([
    tlv.uint(2n ** 64n - 1n, 0),
    tlv.int(-5, 1),
    tlv.utf8('matter', 2),
    tlv.float32(1.5, 3),
    tlv.float64(-0.25, 4),
    tlv.array([tlv.uint(1), tlv.uint(2)], 5),
    tlv.list([tlv.null(1), tlv.bool(true, 1), tlv.null()], 6),
    tlv.null(7),
    tlv.bytes(new Uint8Array([1, 2, 3]), 8),
    tlv.bool(true, { vendor: 0xfff1, profile: 1, tag: 9 }),
    undefined,
  ]);

  it('builders make plain elements, skip undefined members and take a number as a context tag', () => {
    assert.deepStrictEqual(tlv.uint(7, 3), { tag: { context: 3 }, type: 'uint', value: 7 });
    assert.deepStrictEqual(tlv.null({ common: 1 }), { tag: { common: 1 }, type: 'null' });
    assert.deepStrictEqual(tlv.struct([undefined, tlv.bool(false, 1)]), { type: 'struct', elements: [tlv.bool(false, 1)] });
    assert.deepStrictEqual(decodeTlv(encodeTlv(message)), message);
  });

  it('typed accessors return each field by context tag', () => {
    const fields = decodeTlvStruct(encodeTlv(message));
    assert.equal(fields.bigUint(0), 2n ** 64n - 1n);
    assert.equal(fields.int(1, 8), -5);
    assert.equal(fields.bigInt(1), -5n);
    assert.equal(fields.utf8(2), 'matter');
    assert.equal(fields.float(3), 1.5);
    assert.equal(fields.float(4), -0.25);
    assert.deepStrictEqual(fields.array(5), [tlv.uint(1), tlv.uint(2)]);
    assert.equal(fields.list(6).length, 3);
    assert.equal(fields.isNull(7), true);
    assert.equal(fields.isNull(8), false);
    assert.deepStrictEqual(fields.bytes(8), new Uint8Array([1, 2, 3]));
    assert.equal(fields.has(9), false, 'a fully qualified tag is not a context field');
    assert.deepStrictEqual(fields.element(7), tlv.null(7));
    assert.equal(fields.optionalElement(10), undefined);
    assert.deepStrictEqual(
      [fields.optionalUint(10), fields.optionalInt(10), fields.optionalBigUint(10), fields.optionalBigInt(10),
        fields.optionalBool(10), fields.optionalFloat(10), fields.optionalUtf8(10), fields.optionalBytes(10),
        fields.optionalStruct(10), fields.optionalArray(10), fields.optionalList(10)],
      Array(11).fill(undefined));
    assert.equal(fields.optionalUtf8(2), 'matter');
  });

  it('accessors throw a TlvFieldError naming the field', () => {
    const fields = decodeTlvStruct(encodeTlv(message));
    const fieldError = (message: string) => ({ name: 'TlvFieldError', message });
    assert.throws(() => fields.uint(0), fieldError('TLV field 0: 18446744073709551615 does not fit uint32'));
    assert.throws(() => fields.uint(1), fieldError('TLV field 1: expected an unsigned integer, got a signed integer (-5)'));
    assert.throws(() => fields.float(2), fieldError('TLV field 2: expected a float32 or float64, got a UTF-8 string ("matter")'));
    assert.throws(() => fields.struct(5), fieldError('TLV field 5: expected a structure, got an array'));
    assert.throws(() => fields.bool(10), fieldError('TLV field 10: missing from the structure'));
    assert.throws(() => fields.int(1, 64 as never), { name: 'RangeError', message: /bits/ });
    assert.throws(() => fields.optionalBytes(2), TlvFieldError, 'a present field of the wrong type is an error');
  });

  it('a field that appears twice in a hand-built structure is refused', () => {
    const twice = { type: 'struct', elements: [tlv.uint(1, 1), tlv.uint(2, 1)] } as const;
    assert.throws(() => new lib.TlvFields(twice), /TLV field 1: appears twice in the structure/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Fuzzing

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const canonical = (v: bigint): TlvInteger => (v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v);
const WIDTHS: readonly TlvWidth[] = [1, 2, 4, 8];

function fitsWidth(v: bigint, width: TlvWidth, signed: boolean): boolean {
  const bits = BigInt(8 * width);
  return signed ? v >= -(1n << (bits - 1n)) && v < 1n << (bits - 1n) : v >= 0n && v < 1n << bits;
}

/** A width wider than the value needs, or none (the model records only non-minimal widths). */
function optionalWiderWidth(fits: (width: TlvWidth) => boolean): fc.Arbitrary<TlvWidth | undefined> {
  const wider = WIDTHS.filter(fits).slice(1);
  return wider.length ? fc.option(fc.constantFrom(...wider), { nil: undefined, freq: 3 }) : fc.constant(undefined);
}

const integer = (signed: boolean): fc.Arbitrary<TlvElement> => {
  const full = signed ? fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n) : fc.bigInt(0n, 2n ** 64n - 1n);
  const small = fc.bigInt(signed ? -300n : 0n, 70000n);
  return fc.oneof(small, full).chain((v) => optionalWiderWidth((w) => fitsWidth(v, w, signed)).map((width) => ({
    type: signed ? 'int' as const : 'uint' as const, value: canonical(v), ...(width ? { width } : {}),
  })));
};

const lengthWidthFor = (length: number) => optionalWiderWidth((w) => w === 8 || length < 2 ** (8 * w));
const utf8String = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ minLength: 250, maxLength: 300 }))
  .chain((value) => lengthWidthFor(new TextEncoder().encode(value).length)
    .map((lenWidth) => ({ type: 'utf8' as const, value, ...(lenWidth ? { lenWidth } : {}) })));
const byteString = fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.uint8Array({ minLength: 250, maxLength: 300 }))
  .chain((value) => lengthWidthFor(value.length)
    .map((lenWidth) => ({ type: 'bytes' as const, value, ...(lenWidth ? { lenWidth } : {}) })));

const scalar: fc.Arbitrary<TlvElement> = fc.oneof(
  integer(true), integer(false), utf8String, byteString,
  fc.boolean().map((value) => ({ type: 'bool' as const, value })),
  fc.float().map((value) => ({ type: 'float32' as const, value })),
  fc.double().map((value) => ({ type: 'float64' as const, value })),
  fc.constant({ type: 'null' as const }),
);

const tagNumber = fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffffffff }));
const contextTag: fc.Arbitrary<TlvTag> = fc.integer({ min: 0, max: 255 }).map((context) => ({ context }));
const profileTag: fc.Arbitrary<TlvTag> = fc.oneof(
  fc.tuple(fc.boolean(), tagNumber, fc.boolean()).map(([isCommon, n, wide]): TlvTag => {
    const forced = n <= 0xffff && wide ? { tagWidth: 4 as const } : {};
    return isCommon ? { common: n, ...forced } : { implicit: n, ...forced };
  }),
  fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), tagNumber, fc.boolean())
    .map(([vendor, profile, tag, wide]): TlvTag =>
      (tag <= 0xffff && wide ? { vendor, profile, tag, tagWidth: 8 } : { vendor, profile, tag })),
);
const anyTag = fc.oneof({ weight: 3, arbitrary: contextTag }, { weight: 1, arbitrary: profileTag });

/** Equal for tags a structure may not repeat; a common-profile tag is the fully qualified tag 0:0:n. */
function tagIdentity(tag: TlvTag): string {
  if ('context' in tag) return `c${tag.context}`;
  if ('implicit' in tag) return `i${tag.implicit}`;
  return 'common' in tag ? `q0:0:${tag.common}` : `q${tag.vendor}:${tag.profile}:${tag.tag}`;
}

const withTag = (element: fc.Arbitrary<TlvElement>, tag: fc.Arbitrary<TlvTag | undefined>) =>
  fc.tuple(element, tag).map(([e, t]): TlvElement => (t ? { tag: t, ...e } : e));

type Generated = { element: TlvElement; struct: TlvElement; array: TlvElement; list: TlvElement };
const { element: untaggedElement } = fc.letrec<Generated>((tie) => ({
  element: fc.oneof({ maxDepth: 4, depthSize: 'small' }, scalar, tie('struct'), tie('array'), tie('list')),
  struct: fc.uniqueArray(withTag(tie('element'), anyTag), { maxLength: 5, selector: (e) => tagIdentity(e.tag!) })
    .map((elements) => ({ type: 'struct' as const, elements })),
  array: fc.array(tie('element'), { maxLength: 5 }).map((elements) => ({ type: 'array' as const, elements })),
  list: fc.array(withTag(tie('element'), fc.option(anyTag, { nil: undefined })), { maxLength: 5 })
    .map((elements) => ({ type: 'list' as const, elements })),
}));
const topLevelElement = withTag(untaggedElement, fc.option(profileTag, { nil: undefined, freq: 3 }));

function containsNaN(element: TlvElement): boolean {
  if (element.type === 'float32' || element.type === 'float64') return Number.isNaN(element.value);
  return 'elements' in element && element.elements.some(containsNaN);
}

/** The fuzz contract: MalformedTlvError naming a byte of the input, or an element that encodes back to the input. */
function decodesOrRejects(bytes: Uint8Array, decode: (b: Uint8Array) => TlvElement[],
  encode: (e: TlvElement[]) => Uint8Array): void {
  let elements: TlvElement[];
  try {
    elements = decode(bytes);
  } catch (e) {
    if (!(e instanceof MalformedTlvError)) throw e;
    assert.ok(e.offset >= 0 && e.offset <= bytes.length, `offset ${e.offset} within the ${bytes.length}-byte input`);
    assert.ok(e.message.includes(`at byte ${e.offset}:`));
    return;
  }
  const again = encode(elements);
  if (elements.some(containsNaN)) {
    // NaN payloads are not kept: a NaN is written as the quiet NaN, so only the elements must survive.
    assert.deepStrictEqual(decode(again), elements);
  } else {
    assert.equal(toHex(again), toHex(bytes));
  }
}
const asOne = (b: Uint8Array) => [decodeTlv(b)];
const encodeOne = (e: TlvElement[]) => encodeTlv(e[0]!);

type Mutation = { kind: 'flip'; at: number; bit: number } | { kind: 'insert'; at: number; byte: number }
  | { kind: 'delete'; at: number } | { kind: 'truncate'; at: number };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  const bytes = Array.from(input);
  for (const m of mutations) {
    const at = m.at % (bytes.length + 1);
    if (m.kind === 'insert') bytes.splice(at, 0, m.byte);
    else if (m.kind === 'truncate') bytes.length = at;
    else if (at < bytes.length) {
      if (m.kind === 'delete') bytes.splice(at, 1);
      else bytes[at]! ^= 1 << m.bit;
    }
  }
  return Uint8Array.from(bytes);
}

const validEncodings = fc.oneof(
  fc.constantFrom(...vectors.map((v) => hex(v.hex))),
  topLevelElement.map((e) => encodeTlv(e)),
);

describe('TLV fuzzing', () => {
  it('valid elements encode and decode back to themselves', () => {
    fc.assert(fc.property(topLevelElement, (element) => {
      const bytes = encodeTlv(element);
      const decoded = decodeTlv(bytes);
      assert.deepStrictEqual(decoded, element);
      assert.deepStrictEqual(encodeTlv(decoded), bytes);
    }), { numRuns: 3000 });
  });

  it('random bytes decode (and re-encode to themselves) or throw MalformedTlvError', () => {
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 8 }));
    fc.assert(fc.property(bytes, (input) => {
      decodesOrRejects(input, asOne, encodeOne);
      decodesOrRejects(input, decodeTlvSequence, encodeTlvSequence);
    }), { numRuns: 20000 });
  });

  it('mutated valid encodings (flip, insert, delete, truncate) decode or throw MalformedTlvError', () => {
    fc.assert(fc.property(validEncodings, fc.array(mutation, { minLength: 1, maxLength: 4 }), (valid, mutations) => {
      const input = mutate(valid, mutations);
      decodesOrRejects(input, asOne, encodeOne);
      decodesOrRejects(input, decodeTlvSequence, encodeTlvSequence);
    }), { numRuns: 10000 });
  });
});
