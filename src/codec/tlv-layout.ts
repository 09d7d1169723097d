// The wire layout shared by the encoder and the decoder (Matter Core spec Appendix A; connectedhomeip
// src/lib/core/TLVTypes.h and TLVTags.h). Control byte: bits 7..5 tag control, bits 4..0 element type.
// Every multi-byte field is little-endian.
import type { TlvContainer, TlvElementType, TlvInteger, TlvTag, TlvWidth } from './tlv-element.js';

export const TYPE_MASK = 0x1f;
export const TAG_CONTROL_MASK = 0xe0;

// Element types. Integer and string families take base + log2(width) for widths 1, 2, 4, 8.
export const SIGNED_INT = 0x00;
export const UNSIGNED_INT = 0x04;
export const BOOL_FALSE = 0x08;
export const BOOL_TRUE = 0x09;
export const FLOAT32 = 0x0a;
export const FLOAT64 = 0x0b;
export const UTF8_STRING = 0x0c;
export const BYTE_STRING = 0x10;
export const NULL = 0x14;
export const STRUCTURE = 0x15;
export const ARRAY = 0x16;
export const LIST = 0x17;
export const END_OF_CONTAINER = 0x18;

// Tag control values, already shifted into bits 7..5.
export const ANONYMOUS = 0x00;
export const CONTEXT = 0x20;
export const COMMON_PROFILE_2 = 0x40;
export const COMMON_PROFILE_4 = 0x60;
export const IMPLICIT_PROFILE_2 = 0x80;
export const IMPLICIT_PROFILE_4 = 0xa0;
export const FULLY_QUALIFIED_6 = 0xc0;
export const FULLY_QUALIFIED_8 = 0xe0;

export const WIDTHS: readonly TlvWidth[] = [1, 2, 4, 8];
export const widthCode = (width: TlvWidth): number => WIDTHS.indexOf(width);

export const CONTAINER_TYPES: Readonly<Record<number, TlvContainer['type']>> = {
  [STRUCTURE]: 'struct', [ARRAY]: 'array', [LIST]: 'list',
};

const INT64_MIN = -(2n ** 63n), INT64_MAX = 2n ** 63n - 1n, UINT64_MAX = 2n ** 64n - 1n;

/** The fewest bytes that hold the integer, or undefined when it does not fit 64 bits of that signedness. */
export function minimalIntWidth(value: TlvInteger, signed: boolean): TlvWidth | undefined {
  if (typeof value === 'bigint') {
    if (signed ? value < INT64_MIN || value > INT64_MAX : value < 0n || value > UINT64_MAX) return undefined;
    if (value < -(2n ** 31n) || value > 0xffffffffn) return 8;
    value = Number(value);
  }
  if (signed) {
    if (value >= -0x80 && value <= 0x7f) return 1;
    if (value >= -0x8000 && value <= 0x7fff) return 2;
    return value >= -0x80000000 && value <= 0x7fffffff ? 4 : 8;
  }
  if (value < 0) return undefined;
  return value <= 0xff ? 1 : value <= 0xffff ? 2 : value <= 0xffffffff ? 4 : 8;
}

/** The fewest bytes for a string's length field. */
export const minimalLengthWidth = (length: number): TlvWidth =>
  length <= 0xff ? 1 : length <= 0xffff ? 2 : length <= 0xffffffff ? 4 : 8;

/**
 * A key equal for equal tags, to find repeated members of a structure. A common-profile tag is the fully
 * qualified tag of vendor 0, profile 0, so both spellings give one key.
 */
export function tagKey(tag: TlvTag): string {
  if ('context' in tag) return `c${tag.context}`;
  if ('common' in tag) return `q0:0:${tag.common}`;
  if ('implicit' in tag) return `i${tag.implicit}`;
  return `q${tag.vendor}:${tag.profile}:${tag.tag}`;
}

export function describeTag(tag: TlvTag): string {
  if ('context' in tag) return `context tag ${tag.context}`;
  if ('common' in tag) return `common-profile tag ${tag.common}`;
  if ('implicit' in tag) return `implicit-profile tag ${tag.implicit}`;
  return `fully qualified tag ${tag.vendor}:${tag.profile}:${tag.tag}`;
}

export const TYPE_NAMES: Readonly<Record<TlvElementType, string>> = {
  int: 'a signed integer', uint: 'an unsigned integer', bool: 'a boolean', float32: 'a float32', float64: 'a float64',
  utf8: 'a UTF-8 string', bytes: 'an octet string', null: 'null', struct: 'a structure', array: 'an array',
  list: 'a list',
};

/** Matter's placement rules (TLVReader::VerifyElement): what tags a member of each container may carry. */
export function tagPlacementProblem(tag: TlvTag | undefined, container: TlvContainer['type'] | undefined):
  string | undefined {
  if (container === undefined) return tag && 'context' in tag ? 'a context tag outside a structure or list' : undefined;
  if (container === 'struct') return tag ? undefined : 'an anonymous member of a structure';
  if (container === 'array') return tag ? `a tagged member of an array (${describeTag(tag)})` : undefined;
  return undefined;
}
