// Reading a structure's fields by context tag, with the type checks a message schema needs. A field that is
// missing or of the wrong type is a TlvFieldError naming the field's path; unknown fields are ignored, as Matter
// requires of readers. Tags other than context tags are not fields and are ignored too.
import type { TlvElement, TlvElementType, TlvInteger } from './tlv-element.js';
import { decodeTlv } from './tlv-decode.js';
import { TlvFieldError } from './tlv-errors.js';
import { TYPE_NAMES } from './tlv-layout.js';

type ElementOf<T extends TlvElementType> = Extract<TlvElement, { type: T }>;
/** Width in bits of a schema integer type read as a number (uint8, uint16, uint32 / int8, int16, int32). */
export type TlvIntegerBits = 8 | 16 | 32;

/** Decodes bytes holding exactly one structure and returns its fields. */
export function decodeTlvStruct(bytes: Uint8Array): TlvFields {
  return new TlvFields(decodeTlv(bytes));
}

export class TlvFields {
  readonly #fields = new Map<number, TlvElement>();
  readonly #path: string;

  /** `path` prefixes field names in errors; nested structures get theirs from `struct()`. */
  constructor(readonly structure: TlvElement, path = '') {
    this.#path = path;
    if (structure?.type !== 'struct') {
      throw new TlvFieldError(path || '(root)', `expected a structure, got ${describe(structure)}`);
    }
    for (const member of structure.elements) {
      if (!member.tag || !('context' in member.tag)) continue;
      const { context } = member.tag;
      if (this.#fields.has(context)) throw new TlvFieldError(this.#name(context), 'appears twice in the structure');
      this.#fields.set(context, member);
    }
  }

  has(tag: number): boolean { return this.#fields.has(tag); }
  isNull(tag: number): boolean { return this.#fields.get(tag)?.type === 'null'; }
  element(tag: number): TlvElement { return this.#fields.get(tag) ?? this.#missing(tag); }
  optionalElement(tag: number): TlvElement | undefined { return this.#fields.get(tag); }

  /** An unsigned integer that fits `bits` (default 32); use bigUint for 64-bit fields. */
  uint(tag: number, bits: TlvIntegerBits = 32): number { return this.#smallInteger(tag, 'uint', bits); }
  optionalUint(tag: number, bits: TlvIntegerBits = 32): number | undefined {
    return this.has(tag) ? this.uint(tag, bits) : undefined;
  }
  /** Any unsigned integer up to 64 bits. */
  bigUint(tag: number): bigint { return BigInt(this.#typed(tag, 'uint').value); }
  optionalBigUint(tag: number): bigint | undefined { return this.has(tag) ? this.bigUint(tag) : undefined; }

  /** A signed integer that fits `bits` (default 32); use bigInt for 64-bit fields. */
  int(tag: number, bits: TlvIntegerBits = 32): number { return this.#smallInteger(tag, 'int', bits); }
  optionalInt(tag: number, bits: TlvIntegerBits = 32): number | undefined {
    return this.has(tag) ? this.int(tag, bits) : undefined;
  }
  bigInt(tag: number): bigint { return BigInt(this.#typed(tag, 'int').value); }
  optionalBigInt(tag: number): bigint | undefined { return this.has(tag) ? this.bigInt(tag) : undefined; }

  bool(tag: number): boolean { return this.#typed(tag, 'bool').value; }
  optionalBool(tag: number): boolean | undefined { return this.has(tag) ? this.bool(tag) : undefined; }

  /** A float32 or a float64. */
  float(tag: number): number {
    const element = this.element(tag);
    if (element.type === 'float32' || element.type === 'float64') return element.value;
    return this.#wrongType(tag, 'a float32 or float64', element);
  }
  optionalFloat(tag: number): number | undefined { return this.has(tag) ? this.float(tag) : undefined; }

  utf8(tag: number): string { return this.#typed(tag, 'utf8').value; }
  optionalUtf8(tag: number): string | undefined { return this.has(tag) ? this.utf8(tag) : undefined; }

  bytes(tag: number): Uint8Array { return this.#typed(tag, 'bytes').value; }
  optionalBytes(tag: number): Uint8Array | undefined { return this.has(tag) ? this.bytes(tag) : undefined; }

  struct(tag: number): TlvFields { return new TlvFields(this.#typed(tag, 'struct'), this.#name(tag)); }
  optionalStruct(tag: number): TlvFields | undefined { return this.has(tag) ? this.struct(tag) : undefined; }

  array(tag: number): readonly TlvElement[] { return this.#typed(tag, 'array').elements; }
  optionalArray(tag: number): readonly TlvElement[] | undefined { return this.has(tag) ? this.array(tag) : undefined; }

  list(tag: number): readonly TlvElement[] { return this.#typed(tag, 'list').elements; }
  optionalList(tag: number): readonly TlvElement[] | undefined { return this.has(tag) ? this.list(tag) : undefined; }

  #name(tag: number): string { return this.#path ? `${this.#path}.${tag}` : String(tag); }

  #missing(tag: number): never {
    throw new TlvFieldError(this.#name(tag), 'missing from the structure');
  }

  #wrongType(tag: number, expected: string, element: TlvElement): never {
    throw new TlvFieldError(this.#name(tag), `expected ${expected}, got ${describe(element)}`);
  }

  #typed<T extends TlvElementType>(tag: number, type: T): ElementOf<T> {
    const element = this.element(tag);
    return element.type === type ? element as ElementOf<T> : this.#wrongType(tag, TYPE_NAMES[type], element);
  }

  #smallInteger(tag: number, type: 'int' | 'uint', bits: TlvIntegerBits): number {
    if (bits !== 8 && bits !== 16 && bits !== 32) {
      throw new RangeError(`bits: expected 8, 16 or 32, got ${String(bits)}`);
    }
    const { value } = this.#typed(tag, type);
    const [min, max] = integerRange(type, bits);
    if (value < min || value > max) throw new TlvFieldError(this.#name(tag), `${value} does not fit ${type}${bits}`);
    return Number(value);
  }
}

function integerRange(type: 'int' | 'uint', bits: TlvIntegerBits): [number, number] {
  return type === 'uint' ? [0, 2 ** bits - 1] : [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
}

function describe(element: TlvElement | undefined): string {
  if (typeof element !== 'object' || element === null) return String(element);
  const name = TYPE_NAMES[element.type] ?? `type ${String(element.type)}`;
  return 'value' in element && typeof element.value !== 'object' ? `${name} (${describeValue(element.value)})` : name;
}

const describeValue = (value: TlvInteger | boolean | string | number): string =>
  typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : String(value);
