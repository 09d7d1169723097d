// Matter TLV decoding. Every read is bounds-checked first, so bad input is a MalformedTlvError naming the byte,
// never a RangeError from DataView; every step consumes at least one byte, so no input can make it loop.
import { MAX_TLV_NESTING } from './tlv-element.js';
import type {
  TlvByteString, TlvContainer, TlvElement, TlvInteger, TlvSignedInt, TlvTag, TlvUnsignedInt, TlvUtf8String, TlvWidth,
} from './tlv-element.js';
import { MalformedTlvError } from './tlv-errors.js';
import {
  ANONYMOUS, BOOL_FALSE, BOOL_TRUE, BYTE_STRING, COMMON_PROFILE_2, COMMON_PROFILE_4, CONTAINER_TYPES, CONTEXT,
  END_OF_CONTAINER, FLOAT32, FLOAT64, FULLY_QUALIFIED_6, IMPLICIT_PROFILE_2, IMPLICIT_PROFILE_4, NULL,
  SIGNED_INT, TAG_CONTROL_MASK, TYPE_MASK, UNSIGNED_INT, UTF8_STRING, WIDTHS, describeTag, minimalIntWidth,
  minimalLengthWidth, tagKey, tagPlacementProblem,
} from './tlv-layout.js';

// fatal: invalid UTF-8 must be refused, not replaced; ignoreBOM: a leading U+FEFF is content and must survive.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const CONTAINER_NAMES = { struct: 'structure', array: 'array', list: 'list' } as const;

/** Decodes exactly one element; bytes after it are an error. */
export function decodeTlv(bytes: Uint8Array): TlvElement {
  const reader = new TlvReader(bytes);
  const element = reader.topLevelElement();
  if (reader.remaining) reader.fail(`${reader.remaining} trailing bytes after the element`);
  return element;
}

/** Decodes top-level elements written back to back until the input ends (an empty input is an empty sequence). */
export function decodeTlvSequence(bytes: Uint8Array): TlvElement[] {
  const reader = new TlvReader(bytes);
  const elements: TlvElement[] = [];
  while (reader.remaining) elements.push(reader.topLevelElement());
  return elements;
}

class TlvReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`bytes: expected a Uint8Array, got ${typeof bytes}`);
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number { return this.#bytes.length - this.#offset; }

  fail(problem: string, at = this.#offset): never {
    throw new MalformedTlvError(problem, at);
  }

  topLevelElement(): TlvElement {
    const start = this.#offset;
    if (!this.remaining) this.fail('truncated element: the input is empty');
    return this.#element(undefined, 0) ?? this.fail('end of container outside any container', start);
  }

  /** One element, or undefined for an end-of-container marker. Callers have checked that a byte remains. */
  #element(container: TlvContainer['type'] | undefined, depth: number): TlvElement | undefined {
    const start = this.#offset;
    const control = this.#bytes[this.#offset++]!;
    const type = control & TYPE_MASK, tagControl = control & TAG_CONTROL_MASK;
    if (type > END_OF_CONTAINER) this.fail(`reserved element type 0x${type.toString(16)}`, start);
    const tag = this.#tag(tagControl);
    if (type === END_OF_CONTAINER) {
      if (container === undefined) this.fail('end of container outside any container', start);
      if (tag) this.fail(`end of container with tag control 0x${tagControl.toString(16)}: it must be anonymous`, start);
      return undefined;
    }
    const misplaced = tagPlacementProblem(tag, container);
    if (misplaced) this.fail(misplaced, start);
    return this.#value(type, tag, depth, start);
  }

  #tag(tagControl: number): TlvTag | undefined {
    const view = this.#view;
    switch (tagControl) {
      case ANONYMOUS: return undefined;
      case CONTEXT: return { context: view.getUint8(this.#take(1, 'context tag')) };
      case COMMON_PROFILE_2: return { common: view.getUint16(this.#take(2, 'common-profile tag'), true) };
      case IMPLICIT_PROFILE_2: return { implicit: view.getUint16(this.#take(2, 'implicit-profile tag'), true) };
      case COMMON_PROFILE_4: {
        const common = view.getUint32(this.#take(4, 'common-profile tag'), true);
        return common <= 0xffff ? { common, tagWidth: 4 } : { common };
      }
      case IMPLICIT_PROFILE_4: {
        const implicit = view.getUint32(this.#take(4, 'implicit-profile tag'), true);
        return implicit <= 0xffff ? { implicit, tagWidth: 4 } : { implicit };
      }
      case FULLY_QUALIFIED_6: {
        const at = this.#take(6, 'fully qualified tag');
        const vendor = view.getUint16(at, true), profile = view.getUint16(at + 2, true);
        return { vendor, profile, tag: view.getUint16(at + 4, true) };
      }
      default: {
        const at = this.#take(8, 'fully qualified tag');
        const vendor = view.getUint16(at, true), profile = view.getUint16(at + 2, true);
        const tag = view.getUint32(at + 4, true);
        return tag <= 0xffff ? { vendor, profile, tag, tagWidth: 8 } : { vendor, profile, tag };
      }
    }
  }

  // Elements are built as literals, the tag first when there is one: spreading a shared `{ tag }` into each made this
  // the most expensive step of an edge round trip (object spread takes V8's generic path).
  #value(type: number, tag: TlvTag | undefined, depth: number, start: number): TlvElement {
    if (type < BOOL_FALSE) {
      const signed = type < UNSIGNED_INT;
      const width = WIDTHS[type - (signed ? SIGNED_INT : UNSIGNED_INT)]!;
      const value = this.#integer(width, signed);
      const kind = signed ? 'int' as const : 'uint' as const;
      const element: TlvSignedInt | TlvUnsignedInt = tag ? { tag, type: kind, value } : { type: kind, value };
      return width === minimalIntWidth(value, signed) ? element : { ...element, width };
    }
    if (type >= UTF8_STRING && type < NULL) {
      const isUtf8 = type < BYTE_STRING;
      const lenWidth = WIDTHS[type - (isUtf8 ? UTF8_STRING : BYTE_STRING)]!;
      const { start: from, end } = this.#string(lenWidth, isUtf8 ? 'UTF-8 string' : 'octet string');
      let element: TlvUtf8String | TlvByteString;
      if (isUtf8) {
        const value = this.#utf8(from, end);
        element = tag ? { tag, type: 'utf8', value } : { type: 'utf8', value };
      } else {
        const value = this.#bytes.slice(from, end);
        element = tag ? { tag, type: 'bytes', value } : { type: 'bytes', value };
      }
      return lenWidth === minimalLengthWidth(end - from) ? element : { ...element, lenWidth };
    }
    switch (type) {
      case BOOL_FALSE: case BOOL_TRUE: {
        const value = type === BOOL_TRUE;
        return tag ? { tag, type: 'bool', value } : { type: 'bool', value };
      }
      case FLOAT32: {
        const value = this.#view.getFloat32(this.#take(4, 'float32'), true);
        return tag ? { tag, type: 'float32', value } : { type: 'float32', value };
      }
      case FLOAT64: {
        const value = this.#view.getFloat64(this.#take(8, 'float64'), true);
        return tag ? { tag, type: 'float64', value } : { type: 'float64', value };
      }
      case NULL: return tag ? { tag, type: 'null' } : { type: 'null' };
      default: return this.#container(CONTAINER_TYPES[type]!, tag, depth, start);
    }
  }

  #container(type: TlvContainer['type'], tag: TlvTag | undefined, depth: number, start: number): TlvContainer {
    if (depth >= MAX_TLV_NESTING) this.fail(`containers nested more than ${MAX_TLV_NESTING} deep`, start);
    const elements: TlvElement[] = [];
    const seenTags = type === 'struct' ? new Set<string>() : undefined;
    for (;;) {
      const memberStart = this.#offset;
      if (!this.remaining) this.fail(`the ${CONTAINER_NAMES[type]} opened at byte ${start} is not closed`);
      const member = this.#element(type, depth + 1);
      if (!member) return tag ? { tag, type, elements } : { type, elements };
      if (seenTags) {
        const key = tagKey(member.tag!);
        if (seenTags.has(key)) {
          this.fail(`repeated ${describeTag(member.tag!)} in the structure at byte ${start}`, memberStart);
        }
        seenTags.add(key);
      }
      elements.push(member);
    }
  }

  /** Checks that `count` bytes remain, consumes them and returns where they start. */
  #take(count: number, what: string): number {
    if (this.remaining < count) this.#truncated(count, what);
    this.#offset += count;
    return this.#offset - count;
  }

  #truncated(count: number, what: string): never {
    return this.fail(`truncated ${what}: needs ${count} bytes, ${this.remaining} remain`);
  }

  #integer(width: TlvWidth, signed: boolean): TlvInteger {
    // The description is built only for the error: a template string per integer read was a measurable cost.
    if (this.remaining < width) this.#truncated(width, `${width}-byte ${signed ? 'signed' : 'unsigned'} integer`);
    const at = this.#take(width, '');
    const view = this.#view;
    switch (width) {
      case 1: return signed ? view.getInt8(at) : view.getUint8(at);
      case 2: return signed ? view.getInt16(at, true) : view.getUint16(at, true);
      case 4: return signed ? view.getInt32(at, true) : view.getUint32(at, true);
      case 8: {
        const big = signed ? view.getBigInt64(at, true) : view.getBigUint64(at, true);
        return big >= -MAX_SAFE && big <= MAX_SAFE ? Number(big) : big;
      }
    }
  }

  /** A length field then that many bytes; returns where the content lies. */
  #string(lenWidth: TlvWidth, what: string): { start: number; end: number } {
    if (this.remaining < lenWidth) this.#truncated(lenWidth, `${what} length`);
    const lengthAt = this.#take(lenWidth, '');
    const view = this.#view;
    const length = lenWidth === 1 ? view.getUint8(lengthAt)
      : lenWidth === 2 ? view.getUint16(lengthAt, true)
      : lenWidth === 4 || view.getUint32(lengthAt + 4, true) === 0 ? view.getUint32(lengthAt, true)
      : Infinity; // an 8-byte length of 2^32 or more cannot be in the input
    if (length > this.remaining) {
      const shown = length === Infinity ? String(view.getBigUint64(lengthAt, true)) : String(length);
      this.fail(`${what} of ${shown} bytes runs past the end of the input (${this.remaining} bytes remain)`, lengthAt);
    }
    const start = this.#take(length, what);
    return { start, end: start + length };
  }

  #utf8(start: number, end: number): string {
    try {
      return utf8.decode(this.#bytes.subarray(start, end));
    } catch {
      return this.fail('invalid UTF-8 in a UTF-8 string', start);
    }
  }
}
