// Matter TLV encoding: minimal widths unless an element asks for a wider one. It refuses anything the decoder
// would refuse, so whatever it writes decodes back to the same element. Errors name the element by its path
// from the root, e.g. "element.elements[2].value".
import { MAX_TLV_NESTING } from './tlv-element.js';
import type {
  TlvByteString, TlvContainer, TlvElement, TlvFloat32, TlvFloat64, TlvInteger, TlvSignedInt, TlvTag, TlvUnsignedInt,
  TlvUtf8String, TlvWidth,
} from './tlv-element.js';
import { ByteWriter } from './tlv-byte-writer.js';
import {
  ANONYMOUS, ARRAY, BOOL_FALSE, BOOL_TRUE, BYTE_STRING, COMMON_PROFILE_2, COMMON_PROFILE_4, CONTEXT,
  END_OF_CONTAINER, FLOAT32, FLOAT64, FULLY_QUALIFIED_6, FULLY_QUALIFIED_8, IMPLICIT_PROFILE_2, IMPLICIT_PROFILE_4,
  LIST, NULL, SIGNED_INT, STRUCTURE, UNSIGNED_INT, UTF8_STRING, WIDTHS, describeTag, minimalIntWidth,
  minimalLengthWidth, tagKey, tagPlacementProblem, widthCode,
} from './tlv-layout.js';

const utf8 = new TextEncoder();
const CONTAINER_CODES = { struct: STRUCTURE, array: ARRAY, list: LIST } as const;
// TextEncoder would silently turn an unpaired surrogate into U+FFFD; a string the caller did not write is refused.
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// One bit pattern for NaN, so every runtime writes the same bytes (DataView may write any NaN).
const QUIET_NAN_32 = 0x7fc00000;
const QUIET_NAN_64 = 0x7ff8000000000000n;

export function encodeTlv(element: TlvElement): Uint8Array {
  const out = new ByteWriter();
  writeElement(out, element, undefined, 0, 'element');
  return out.finish();
}

/** Top-level elements back to back, as decodeTlvSequence reads them. */
export function encodeTlvSequence(elements: readonly TlvElement[]): Uint8Array {
  if (!Array.isArray(elements)) throw new TypeError(`elements: expected an array, got ${describe(elements)}`);
  const out = new ByteWriter();
  elements.forEach((element, i) => writeElement(out, element, undefined, 0, `elements[${i}]`));
  return out.finish();
}

/** Writes the control byte and the tag; the value follows. */
type WriteHead = (elementType: number) => void;

function writeElement(out: ByteWriter, element: TlvElement, container: TlvContainer['type'] | undefined,
  depth: number, path: string): void {
  if (typeof element !== 'object' || element === null) {
    throw new TypeError(`${path}: expected a TLV element, got ${describe(element)}`);
  }
  const { tag } = element;
  const tagControl = tag === undefined ? ANONYMOUS : checkedTagControl(tag, path);
  const misplaced = tagPlacementProblem(tag, container);
  if (misplaced) throw new TypeError(`${path}: ${misplaced}`);
  const head: WriteHead = (elementType) => {
    out.u8(tagControl | elementType);
    if (tag) writeTag(out, tag, tagControl);
  };
  switch (element.type) {
    case 'int': case 'uint': return writeIntegerElement(out, element, head, path);
    case 'bool': {
      const value: unknown = element.value;
      if (typeof value !== 'boolean') throw new TypeError(`${path}.value: expected a boolean, got ${describe(value)}`);
      return head(value ? BOOL_TRUE : BOOL_FALSE);
    }
    case 'float32': case 'float64': return writeFloatElement(out, element, head, path);
    case 'utf8': case 'bytes': return writeStringElement(out, element, head, path);
    case 'null': return head(NULL);
    case 'struct': case 'array': case 'list': return writeContainer(out, element, head, depth, path);
    default:
      throw new TypeError(`${path}.type: unknown TLV element type ${describe((element as { type: unknown }).type)}`);
  }
}

function writeIntegerElement(out: ByteWriter, element: TlvSignedInt | TlvUnsignedInt, head: WriteHead,
  path: string): void {
  const signed = element.type === 'int';
  const value = checkedInteger(element.value, path, '.value');
  const minimal = minimalIntWidth(value, signed);
  if (minimal === undefined) {
    const kind = signed ? 'a signed' : 'an unsigned';
    throw new RangeError(`${path}.value: ${value} is out of range for ${kind} 64-bit integer`);
  }
  const width = checkedWidth(element.width, minimal, path, '.width', () => `${element.type} ${value}`);
  head((signed ? SIGNED_INT : UNSIGNED_INT) + widthCode(width));
  writeInteger(out, value, width, signed);
}

function writeFloatElement(out: ByteWriter, element: TlvFloat32 | TlvFloat64, head: WriteHead, path: string): void {
  const value: unknown = element.value;
  if (typeof value !== 'number') throw new TypeError(`${path}.value: expected a number, got ${describe(value)}`);
  if (element.type === 'float32') {
    head(FLOAT32);
    if (Number.isNaN(value)) out.u32(QUIET_NAN_32);
    else out.f32(value);
  } else {
    head(FLOAT64);
    if (Number.isNaN(value)) out.u64(QUIET_NAN_64);
    else out.f64(value);
  }
}

function writeStringElement(out: ByteWriter, element: TlvUtf8String | TlvByteString, head: WriteHead,
  path: string): void {
  const content: unknown = element.type === 'utf8' ? utf8Content(element.value, path) : element.value;
  if (!(content instanceof Uint8Array)) {
    throw new TypeError(`${path}.value: expected a Uint8Array, got ${describe(content)}`);
  }
  const lenWidth = checkedWidth(element.lenWidth, minimalLengthWidth(content.length), path, '.lenWidth',
    () => `a length of ${content.length}`);
  head((element.type === 'utf8' ? UTF8_STRING : BYTE_STRING) + widthCode(lenWidth));
  writeInteger(out, content.length, lenWidth, false);
  out.bytes(content);
}

function writeContainer(out: ByteWriter, element: TlvContainer, head: WriteHead, depth: number, path: string): void {
  if (depth >= MAX_TLV_NESTING) throw new RangeError(`${path}: containers nested more than ${MAX_TLV_NESTING} deep`);
  const { elements } = element;
  if (!Array.isArray(elements)) throw new TypeError(`${path}.elements: expected an array, got ${describe(elements)}`);
  head(CONTAINER_CODES[element.type]);
  const seenTags = element.type === 'struct' ? new Set<string>() : undefined;
  for (let i = 0; i < elements.length; i++) {
    const member: TlvElement = elements[i];
    // Members are written with a path relative to them and the path is prefixed only if one fails: building
    // "element.elements[2]..." for every member, as each is written, was most of the cost of encoding.
    try {
      writeElement(out, member, element.type, depth + 1, '');
      if (seenTags) {
        const key = tagKey(member.tag!);
        if (seenTags.has(key)) throw new TypeError(`: repeated ${describeTag(member.tag!)} in a structure`);
        seenTags.add(key);
      }
    } catch (error) {
      throw prefixedPath(error, `${path}.elements[${i}]`);
    }
  }
  out.u8(END_OF_CONTAINER);
}

/** An error from a member written with a relative path, its message prefixed with the member's own path. */
function prefixedPath(error: unknown, path: string): unknown {
  if (error instanceof RangeError) return new RangeError(`${path}${error.message}`);
  if (error instanceof TypeError) return new TypeError(`${path}${error.message}`);
  return error;
}

/** The tag control for the tag of the element at `element`, after checking every number in it fits its field. */
function checkedTagControl(tag: TlvTag, element: string): number {
  if (typeof tag === 'object' && tag !== null && 'context' in tag) {
    checkedUint(tag.context, 0xff, element, '.tag.context');
    return CONTEXT;
  }
  return checkedOtherTagControl(tag, `${element}.tag`);
}

function checkedOtherTagControl(tag: TlvTag, path: string): number {
  if (typeof tag !== 'object' || tag === null) {
    throw new TypeError(`${path}: expected a tag object, got ${describe(tag)}`);
  }
  if ('common' in tag || 'implicit' in tag) {
    const isCommon = 'common' in tag;
    const field = isCommon ? 'common' : 'implicit';
    const number = checkedUint(isCommon ? tag.common : tag.implicit, 0xffffffff, path, `.${field}`);
    const wide = checkedTagWidth(tag.tagWidth, number <= 0xffff ? 2 : 4, [2, 4], path);
    return isCommon ? (wide ? COMMON_PROFILE_4 : COMMON_PROFILE_2) : (wide ? IMPLICIT_PROFILE_4 : IMPLICIT_PROFILE_2);
  }
  if ('vendor' in tag) {
    checkedUint(tag.vendor, 0xffff, path, '.vendor');
    checkedUint(tag.profile, 0xffff, path, '.profile');
    const number = checkedUint(tag.tag, 0xffffffff, path, '.tag');
    const wide = checkedTagWidth(tag.tagWidth, number <= 0xffff ? 6 : 8, [6, 8], path);
    return wide ? FULLY_QUALIFIED_8 : FULLY_QUALIFIED_6;
  }
  const keys = Object.keys(tag).join(', ') || 'none';
  throw new TypeError(`${path}: expected a context, common, implicit or vendor/profile/tag tag, got keys ${keys}`);
}

/** True when the wider of the two tag forms is needed or asked for. */
function checkedTagWidth(requested: unknown, minimal: number, forms: readonly [number, number], path: string): boolean {
  if (requested === undefined) return minimal === forms[1];
  if (requested !== forms[0] && requested !== forms[1]) {
    throw new RangeError(`${path}.tagWidth: expected ${forms[0]} or ${forms[1]}, got ${String(requested)}`);
  }
  if ((requested as number) < minimal) {
    throw new RangeError(`${path}.tagWidth: the tag number needs the ${minimal}-byte form, got ${String(requested)}`);
  }
  return requested === forms[1];
}

function writeTag(out: ByteWriter, tag: TlvTag, tagControl: number): void {
  if ('context' in tag) return out.u8(tag.context);
  if ('vendor' in tag) {
    out.u16(tag.vendor);
    out.u16(tag.profile);
    return tagControl === FULLY_QUALIFIED_8 ? out.u32(tag.tag) : out.u16(tag.tag);
  }
  const number = 'common' in tag ? tag.common : tag.implicit;
  return tagControl === COMMON_PROFILE_4 || tagControl === IMPLICIT_PROFILE_4 ? out.u32(number) : out.u16(number);
}

function writeInteger(out: ByteWriter, value: TlvInteger, width: TlvWidth, signed: boolean): void {
  if (width === 8) return signed ? out.i64(BigInt(value)) : out.u64(BigInt(value));
  const n = Number(value);
  if (width === 1) return signed ? out.i8(n) : out.u8(n);
  if (width === 2) return signed ? out.i16(n) : out.u16(n);
  return signed ? out.i32(n) : out.u32(n);
}

// The checks take the element's path and the field's apart and join them only for an error: strings built for every
// field written would cost more than the writing.
function checkedInteger(value: unknown, path: string, field: string): TlvInteger {
  if (typeof value === 'bigint' || Number.isSafeInteger(value)) return value as TlvInteger;
  throw new TypeError(`${path}${field}: expected a bigint or a safe integer, got ${describe(value)}`);
}

function checkedUint(value: unknown, max: number, path: string, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${path}${field}: expected an integer from 0 to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** The width to write: the requested one if it is a TLV width that holds the value, else the minimal one. */
function checkedWidth(requested: unknown, minimal: TlvWidth, path: string, field: string, what: () => string): TlvWidth {
  if (requested === undefined) return minimal;
  if (!WIDTHS.includes(requested as TlvWidth)) {
    throw new RangeError(`${path}${field}: expected 1, 2, 4 or 8, got ${describe(requested)}`);
  }
  if ((requested as TlvWidth) < minimal) {
    throw new RangeError(`${path}${field}: ${what()} does not fit in ${String(requested)} bytes`);
  }
  return requested as TlvWidth;
}

/** The UTF-8 bytes of the string value of the element at `path`. */
function utf8Content(value: unknown, path: string): Uint8Array {
  if (typeof value !== 'string') throw new TypeError(`${path}.value: expected a string, got ${describe(value)}`);
  const wellFormed = (value as { isWellFormed?: () => boolean }).isWellFormed;
  if (wellFormed ? !wellFormed.call(value) : UNPAIRED_SURROGATE.test(value)) {
    throw new TypeError(`${path}.value: the string has an unpaired surrogate, which UTF-8 cannot hold`);
  }
  return utf8.encode(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return Array.isArray(value) ? 'an array' : typeof value;
}
