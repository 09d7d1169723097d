// The TLV conformance suite. It has no imports at run time: the library and the vectors come in as arguments, so
// the same compiled file runs unchanged in Node, Deno, Bun, workerd and Chromium (as core-suite.ts does).
import type * as Tlv from '../../src/codec/tlv.js';
import type { Check } from './check.js';
import { equal, fail, hex, throwsNamed, toHex } from './check.js';

export type TlvModule = typeof Tlv;

/** An element as /work/shared/vectors/tlv.json writes it (see its valueFormat): integers as decimal strings. */
export interface TlvVectorValue {
  tag?: Tlv.TlvTag;
  type: Tlv.TlvElementType;
  value?: string | number | boolean;
  width?: Tlv.TlvWidth;
  lenWidth?: Tlv.TlvWidth;
  elements?: TlvVectorValue[];
}
export interface TlvVector {
  id: string;
  description: string;
  hex: string;
  value: TlvVectorValue | { sequence: TlvVectorValue[] };
}
export interface TlvSuiteData { tlvVectors: TlvVector[] }

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const lengthWidth = (v: TlvVectorValue) => (v.lenWidth ? { lenWidth: v.lenWidth } : {});

/** The library's element for a vector's typed JSON: integers are numbers when safe, bigints otherwise. */
export function vectorElement(v: TlvVectorValue): Tlv.TlvElement {
  const tagged = v.tag ? { tag: v.tag } : {};
  switch (v.type) {
    case 'int': case 'uint': {
      const big = BigInt(v.value as string);
      const value = big >= -MAX_SAFE && big <= MAX_SAFE ? Number(big) : big;
      return { ...tagged, type: v.type, value, ...(v.width ? { width: v.width } : {}) };
    }
    case 'bool': return { ...tagged, type: v.type, value: v.value as boolean };
    case 'float32': case 'float64': return { ...tagged, type: v.type, value: v.value as number };
    case 'utf8': return { ...tagged, type: v.type, value: v.value as string, ...lengthWidth(v) };
    case 'bytes': return { ...tagged, type: v.type, value: hex(v.value as string), ...lengthWidth(v) };
    case 'null': return { ...tagged, type: v.type };
    case 'struct': case 'array': case 'list': return { ...tagged, type: v.type, elements: (v.elements ?? []).map(vectorElement) };
  }
}

function renderTag(tag: Tlv.TlvTag): string {
  if ('context' in tag) return `@${tag.context}`;
  const width = tag.tagWidth === undefined ? '' : `/${tag.tagWidth}`;
  if ('common' in tag) return `@common:${tag.common}${width}`;
  if ('implicit' in tag) return `@implicit:${tag.implicit}${width}`;
  return `@${tag.vendor}:${tag.profile}:${tag.tag}${width}`;
}

/** One line that differs whenever two elements differ: tags, types, widths, number vs bigint, -0 vs 0. */
export function renderElement(e: Tlv.TlvElement): string {
  const tag = e.tag ? `${renderTag(e.tag)} ` : '';
  switch (e.type) {
    case 'int': case 'uint':
      return `${tag}${e.type}${e.width ? `/${e.width}` : ''} ${typeof e.value === 'bigint' ? `${e.value}n` : e.value}`;
    case 'float32': case 'float64': return `${tag}${e.type} ${Object.is(e.value, -0) ? '-0' : e.value}`;
    case 'bool': return `${tag}bool ${e.value}`;
    case 'utf8': return `${tag}utf8${e.lenWidth ? `/${e.lenWidth}` : ''} ${JSON.stringify(e.value)}`;
    case 'bytes': {
      const content = e.value instanceof Uint8Array ? toHex(e.value) : `not a Uint8Array: ${typeof e.value}`;
      return `${tag}bytes${e.lenWidth ? `/${e.lenWidth}` : ''} ${content}`;
    }
    case 'null': return `${tag}null`;
    default: return `${tag}${e.type} [${e.elements.map(renderElement).join(', ')}]`;
  }
}

function sameElements(actual: readonly Tlv.TlvElement[], expected: readonly Tlv.TlvElement[], what: string): void {
  const got = actual.map(renderElement).join(' | '), want = expected.map(renderElement).join(' | ');
  if (got !== want) fail(`${what}:\n  got      ${got.slice(0, 400)}\n  expected ${want.slice(0, 400)}`);
}

function vectorChecks(lib: TlvModule, vectors: readonly TlvVector[]): Check[] {
  return vectors.map((v) => ({
    name: `tlv vector ${v.id}`,
    run() {
      const bytes = hex(v.hex);
      if ('sequence' in v.value) {
        const expected = v.value.sequence.map(vectorElement);
        sameElements(lib.decodeTlvSequence(bytes), expected, 'decodeTlvSequence');
        equal(toHex(lib.encodeTlvSequence(expected)), v.hex, 'encodeTlvSequence');
        throwsNamed(() => lib.decodeTlv(bytes), 'MalformedTlvError', 'trailing', 'decodeTlv of a sequence');
        return;
      }
      const expected = vectorElement(v.value);
      sameElements([lib.decodeTlv(bytes)], [expected], 'decodeTlv');
      equal(toHex(lib.encodeTlv(expected)), v.hex, 'encodeTlv');
      sameElements(lib.decodeTlvSequence(bytes), [expected], 'decodeTlvSequence');
    },
  }));
}

const deepArrays = (depth: number): string => '16'.repeat(depth) + '18'.repeat(depth);

/** [what, hex, byte offset the error must name, word the message must contain] */
const MALFORMED: readonly [string, string, number, string][] = [
  ['empty input', '', 0, 'truncated'],
  ['4-byte unsigned integer cut short', '060102', 1, 'truncated'],
  ['context tag cut short', '24', 1, 'truncated'],
  ['fully qualified tag cut short', 'd5bbaaddcc01', 1, 'truncated'],
  ['float64 cut short', '0b000000', 1, 'truncated'],
  ['UTF-8 string length past the end', '0c0561', 1, 'past the end'],
  ['octet string with a 4-byte length of 2^32-1', '12ffffffff00', 1, 'past the end'],
  ['octet string with an 8-byte length of 2^64-1', '13ffffffffffffffff', 1, 'past the end'],
  ['reserved element type 0x19', '19', 0, 'reserved element type'],
  ['reserved element type 0x1f inside a structure', '153f0118', 1, 'reserved element type'],
  ['structure not closed', '15240101', 4, 'not closed'],
  ['array in a list not closed', '1716', 2, 'opened at byte 1 is not closed'],
  ['end of container at top level', '18', 0, 'outside'],
  ['end of container with a context tag', '153800', 1, 'anonymous'],
  ['overlong UTF-8', '0c02c080', 2, 'UTF-8'],
  ['UTF-8 encoded surrogate', '0c03eda080', 2, 'UTF-8'],
  ['UTF-8 sequence cut short', '0c01e2', 2, 'UTF-8'],
  ['containers nested 33 deep', deepArrays(33), 32, 'nested'],
  ['trailing bytes', '040104', 2, 'trailing'],
  ['anonymous member of a structure', '15040118', 1, 'anonymous member'],
  ['tagged member of an array', '16240118', 1, 'array'],
  ['context tag at top level', '2401', 0, 'context tag'],
  ['repeated tag in a structure', '1524010124010218', 4, 'repeated'],
];

function malformedChecks(lib: TlvModule): Check[] {
  return MALFORMED.map(([what, input, offset, mentions]) => ({
    name: `tlv rejects ${what} at byte ${offset}`,
    run() {
      const error = throwsNamed(() => lib.decodeTlv(hex(input)), 'MalformedTlvError', `at byte ${offset}:`, what);
      if (!error.message.includes(mentions)) fail(`${what}: message "${error.message}" does not mention "${mentions}"`);
      if (!(error instanceof lib.MalformedTlvError)) fail(`${what}: not an instance of MalformedTlvError`);
      equal((error as InstanceType<TlvModule['MalformedTlvError']>).offset, offset, 'offset');
    },
  }));
}

/** [what, hex, the element as renderElement writes it]: decodes to that, and encodes back to the same hex. */
const ROUND_TRIPS: readonly [string, string, string][] = [
  ['keeps a leading byte order mark in a UTF-8 string', '0c03efbbbf', 'utf8 "\ufeff"'],
  ['reads a 4-byte UTF-8 sequence', '0c04f09f9880', 'utf8 "😀"'],
  ['accepts containers nested 32 deep', deepArrays(32), `${'array ['.repeat(32)}${']'.repeat(32)}`],
  ['keeps a wide tag form for a small tag number', '640500000005', '@common:5/4 uint 5'],
];

function edgeChecks(lib: TlvModule): Check[] {
  const encodings: [string, Tlv.TlvElement, string][] = [
    ['writes NaN as the quiet NaN', lib.tlv.float32(NaN), '0a0000c07f'],
    ['rounds a float32 builder value to the nearest float32', lib.tlv.float32(17.9), '0a33338f41'],
  ];
  return [
    ...ROUND_TRIPS.map(([what, input, expected]) => ({
      name: `tlv ${what}`,
      run() {
        const element = lib.decodeTlv(hex(input));
        equal(renderElement(element), expected, 'decoded');
        equal(toHex(lib.encodeTlv(element)), input, 're-encoded');
      },
    })),
    ...encodings.map(([what, element, expected]) => ({
      name: `tlv ${what}`,
      run: () => equal(toHex(lib.encodeTlv(element)), expected, 'encoded'),
    })),
  ];
}

/** [what, element, error name, word the message must contain] */
function encodeErrorChecks(lib: TlvModule): Check[] {
  const { tlv } = lib;
  const nestedArrays = (depth: number): Tlv.TlvElement =>
    depth === 1 ? tlv.array([]) : tlv.array([nestedArrays(depth - 1)]);
  const cases: [string, unknown, string, string][] = [
    ['negative uint', tlv.uint(-1), 'RangeError', 'element.value'],
    ['uint above 2^64-1', tlv.uint(2n ** 64n), 'RangeError', 'out of range'],
    ['int above 2^63-1', tlv.int(2n ** 63n), 'RangeError', 'out of range'],
    ['uint 256 forced into 1 byte', { ...tlv.uint(256), width: 1 }, 'RangeError', 'element.width'],
    ['width 3', { ...tlv.uint(1), width: 3 }, 'RangeError', 'element.width'],
    ['fractional integer', tlv.uint(1.5), 'TypeError', 'element.value'],
    ['context tag 256', tlv.uint(1, 256), 'RangeError', 'element.tag.context'],
    ['common tag 70000 forced into 2 bytes', tlv.null({ common: 70000, tagWidth: 2 }), 'RangeError', 'tagWidth'],
    ['anonymous structure member', tlv.struct([tlv.uint(1)]), 'TypeError', 'element.elements[0]'],
    ['repeated structure tag', tlv.struct([tlv.uint(1, 1), tlv.bool(true, 1)]), 'TypeError', 'repeated'],
    ['tagged array member', tlv.array([tlv.uint(1, 1)]), 'TypeError', 'element.elements[0]'],
    ['context tag at top level', tlv.uint(1, 1), 'TypeError', 'context tag'],
    ['unpaired surrogate', tlv.utf8('a\ud800'), 'TypeError', 'surrogate'],
    ['bytes as an array', { type: 'bytes', value: [1, 2] }, 'TypeError', 'element.value'],
    ['unknown type', { type: 'date', value: 1 }, 'TypeError', 'element.type'],
    ['33 nested containers', nestedArrays(33), 'RangeError', 'nested'],
    ['a bad value deep inside, naming its path', tlv.struct([tlv.struct([tlv.uint(-1, 1)], 2)]), 'RangeError',
      'element.elements[0].elements[0].value'],
  ];
  return cases.map(([what, element, errorName, mentions]) => ({
    name: `tlv encode refuses ${what} with a ${errorName}`,
    run: () => { throwsNamed(() => lib.encodeTlv(element as Tlv.TlvElement), errorName, mentions, what); },
  }));
}

// PBKDFParamRequest as connectedhomeip sent it (vectors/pase-messages.json, chip-captured-request).
const PBKDF_PARAM_REQUEST = '15300120b2901e92036f7bca007a3a1bf24bd71f18772105e83479c92b7a8af35e818274' +
  '2502498d240300280435052501881325022c011818';

function structChecks(lib: TlvModule): Check[] {
  const { tlv } = lib;
  const read = () => lib.decodeTlvStruct(hex(PBKDF_PARAM_REQUEST));
  return [
    {
      name: 'tlv builders write a PBKDFParamRequest byte for byte',
      run() {
        const random = hex('b2901e92036f7bca007a3a1bf24bd71f18772105e83479c92b7a8af35e818274');
        const request = tlv.struct([
          tlv.bytes(random, 1), tlv.uint(36169, 2), tlv.uint(0, 3), tlv.bool(false, 4),
          tlv.struct([tlv.uint(5000, 1), tlv.uint(300, 2), undefined], 5),
        ]);
        equal(toHex(lib.encodeTlv(request)), PBKDF_PARAM_REQUEST, 'encoded');
      },
    },
    {
      name: 'tlv fields read a PBKDFParamRequest by context tag',
      run() {
        const fields = read();
        equal(toHex(fields.bytes(1)).slice(0, 8), 'b2901e92', 'initiatorRandom');
        equal(fields.uint(2, 16), 36169, 'initiatorSessionId');
        equal(fields.uint(3, 16), 0, 'passcodeId');
        equal(fields.bool(4), false, 'hasPBKDFParameters');
        equal(fields.bigUint(2), 36169n, 'bigUint');
        const params = fields.optionalStruct(5);
        equal(params?.uint(1), 5000, 'idle interval');
        equal(params?.optionalUint(3), undefined, 'absent optional field');
        equal(fields.optionalBytes(6), undefined, 'absent optional bytes');
        equal(fields.has(5), true, 'has');
      },
    },
    {
      name: 'tlv fields name a missing field',
      run: () => { throwsNamed(() => read().uint(6), 'TlvFieldError', 'TLV field 6: missing', 'missing'); },
    },
    {
      name: 'tlv fields name a field of the wrong type',
      run() {
        const message = 'TLV field 2: expected an octet string, got an unsigned integer';
        throwsNamed(() => read().bytes(2), 'TlvFieldError', message, 'wrong type');
      },
    },
    {
      name: 'tlv fields name a nested field by its path',
      run: () => { throwsNamed(() => read().struct(5).bytes(2), 'TlvFieldError', 'TLV field 5.2:', 'nested'); },
    },
    {
      name: 'tlv fields refuse an integer too wide for the schema type',
      run: () => { throwsNamed(() => read().uint(2, 8), 'TlvFieldError', 'does not fit uint8', 'uint8'); },
    },
    {
      name: 'tlv fields refuse a non-structure',
      run() {
        throwsNamed(() => new lib.TlvFields(lib.decodeTlv(hex('1618'))), 'TlvFieldError', 'expected a structure', 'array');
      },
    },
  ];
}

export function tlvChecks(lib: TlvModule, data: TlvSuiteData): Check[] {
  return [
    ...vectorChecks(lib, data.tlvVectors), ...malformedChecks(lib), ...edgeChecks(lib), ...encodeErrorChecks(lib),
    ...structChecks(lib),
  ];
}
