// The data model's field types (spec "Data Types": uint/int of 8..64 bits, enum, bitmap, bool, octet and character
// strings with length constraints, lists, nullable values, structures of context-tagged fields) as small typed
// codecs between plain JavaScript objects and TLV elements. A cluster's command fields and attribute values are
// declared with them, so one declaration gives the encoder, the decoder and the checks on both.
//
// Encoding a bad value throws TypeError / RangeError naming the field ("fields.breadcrumb"). Decoding TLV of the wrong
// shape throws TlvFieldError (spec status INVALID_COMMAND when it is a command's fields); a value of the right type
// that breaks a constraint (a length, a range) throws ConstraintError (CONSTRAINT_ERROR).
import { TlvFieldError, tlv, type TlvElement, type TlvTagArgument } from '../codec/tlv.js';
import { ConstraintError } from '../interaction/interaction-status-error.js';

export interface FieldType<T> {
  /** For messages: "uint16", "octets(32)", ... */
  readonly description: string;
  encode(value: T, name: string, tag?: TlvTagArgument): TlvElement;
  decode(element: TlvElement, name: string): T;
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : String(value);
}

function expectType(element: TlvElement, type: TlvElement['type'], name: string, description: string): void {
  if (element.type !== type) throw new TlvFieldError(name, `expected ${description}, got ${element.type}`);
}

/** An unsigned integer of `bits` bits, as a number (up to 32 bits). `max` narrows the range (spec constraint). */
export function uint(bits: 8 | 16 | 32, constraint: { min?: number; max?: number } = {}): FieldType<number> {
  const min = constraint.min ?? 0;
  const max = Math.min(constraint.max ?? 2 ** bits - 1, 2 ** bits - 1);
  const description = `uint${bits}` + (constraint.min !== undefined || constraint.max !== undefined ? ` ${min}..${max}` : '');
  return {
    description,
    encode(value, name, tag) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        throw new RangeError(`${name}: expected an integer from ${min} to ${max}, got ${describe(value)}`);
      }
      return tlv.uint(value, tag);
    },
    decode(element, name) {
      expectType(element, 'uint', name, description);
      const value = Number((element as { value: number | bigint }).value);
      if (value > 2 ** bits - 1) throw new TlvFieldError(name, `${value} does not fit uint${bits}`);
      if (value < min || value > max) throw new ConstraintError(name, `expected ${min} to ${max}, got ${value}`);
      return value;
    },
  };
}

/** uint64 (node ids, fabric ids, breadcrumbs), as a bigint; encoding accepts a safe integer number too. */
export const uint64: FieldType<bigint> = {
  description: 'uint64',
  encode(value, name, tag) {
    const ok = typeof value === 'bigint' ? value >= 0n && value < 2n ** 64n
      : typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
    if (!ok) throw new RangeError(`${name}: expected a bigint from 0 to 2^64-1, got ${describe(value)}`);
    return tlv.uint(BigInt(value), tag);
  },
  decode(element, name) {
    expectType(element, 'uint', name, 'uint64');
    return BigInt((element as { value: number | bigint }).value);
  },
};

/** A signed integer of `bits` bits, as a number. */
export function int(bits: 8 | 16 | 32): FieldType<number> {
  const min = -(2 ** (bits - 1)), max = 2 ** (bits - 1) - 1;
  return {
    description: `int${bits}`,
    encode(value, name, tag) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        throw new RangeError(`${name}: expected an integer from ${min} to ${max}, got ${describe(value)}`);
      }
      return tlv.int(value, tag);
    },
    decode(element, name) {
      expectType(element, 'int', name, `int${bits}`);
      const value = Number((element as { value: number | bigint }).value);
      if (value < min || value > max) throw new TlvFieldError(name, `${value} does not fit int${bits}`);
      return value;
    },
  };
}

/** enum8 / enum16 / bitmaps: uints on the wire; values a newer revision adds are kept, not refused. */
export const enum8 = uint(8);
export const enum16 = uint(16);
export const bitmap8 = uint(8);
export const bitmap16 = uint(16);
export const bitmap32 = uint(32);

export const bool: FieldType<boolean> = {
  description: 'bool',
  encode(value, name, tag) {
    if (typeof value !== 'boolean') throw new TypeError(`${name}: expected a boolean, got ${describe(value)}`);
    return tlv.bool(value, tag);
  },
  decode(element, name) {
    expectType(element, 'bool', name, 'bool');
    return (element as { value: boolean }).value;
  },
};

/** An octet string; `length` fixes its length, `min`/`max` bound it (spec constraints, in bytes). */
export function octets(constraint: { length?: number; min?: number; max?: number } = {}): FieldType<Uint8Array> {
  const min = constraint.length ?? constraint.min ?? 0;
  const max = constraint.length ?? constraint.max ?? Infinity;
  const description = constraint.length !== undefined ? `octets(${constraint.length})`
    : max === Infinity ? (min ? `octets(>=${min})` : 'octets') : `octets(${min}..${max})`;
  const expected = min === max ? `${min} bytes` : max === Infinity ? `at least ${min} bytes` : `${min} to ${max} bytes`;
  return {
    description,
    encode(value, name, tag) {
      if (!(value instanceof Uint8Array)) throw new TypeError(`${name}: expected a Uint8Array, got ${describe(value)}`);
      if (value.length < min || value.length > max) throw new RangeError(`${name}: expected ${expected}, got ${value.length}`);
      return tlv.bytes(value, tag);
    },
    decode(element, name) {
      expectType(element, 'bytes', name, description);
      const value = (element as { value: Uint8Array }).value;
      if (value.length < min || value.length > max) throw new ConstraintError(name, `expected ${expected}, got ${value.length}`);
      return value;
    },
  };
}

/** A character string (UTF-8); `max`/`length` count its encoded bytes, as the spec's string constraints do. */
export function string(constraint: { length?: number; max?: number } = {}): FieldType<string> {
  const min = constraint.length ?? 0, max = constraint.length ?? constraint.max ?? Infinity;
  const description = max === Infinity ? 'string' : min === max ? `string(${max})` : `string(max ${max})`;
  const expected = min === max ? `${min} bytes of UTF-8` : `at most ${max} bytes of UTF-8`;
  const utf8Length = (s: string) => new TextEncoder().encode(s).length;
  return {
    description,
    encode(value, name, tag) {
      if (typeof value !== 'string') throw new TypeError(`${name}: expected a string, got ${describe(value)}`);
      const length = utf8Length(value);
      if (length < min || length > max) throw new RangeError(`${name}: expected ${expected}, got ${length}`);
      return tlv.utf8(value, tag);
    },
    decode(element, name) {
      expectType(element, 'utf8', name, description);
      const value = (element as { value: string }).value;
      const length = utf8Length(value);
      if (length < min || length > max) throw new ConstraintError(name, `expected ${expected}, got ${length}`);
      return value;
    },
  };
}

/** A list (TLV array) of one type; `max` bounds its entries. */
export function list<T>(item: FieldType<T>, constraint: { max?: number } = {}): FieldType<T[]> {
  const max = constraint.max ?? Infinity;
  return {
    description: `list of ${item.description}`,
    encode(value, name, tag) {
      if (!Array.isArray(value)) throw new TypeError(`${name}: expected an array, got ${describe(value)}`);
      if (value.length > max) throw new RangeError(`${name}: expected at most ${max} entries, got ${value.length}`);
      return tlv.array(value.map((v, i) => item.encode(v, `${name}[${i}]`)), tag);
    },
    decode(element, name) {
      expectType(element, 'array', name, `a list of ${item.description}`);
      const elements = (element as { elements: readonly TlvElement[] }).elements;
      if (elements.length > max) throw new ConstraintError(name, `expected at most ${max} entries, got ${elements.length}`);
      return elements.map((e, i) => item.decode(e, `${name}[${i}]`));
    },
  };
}

/** A nullable value (spec quality X): null on the wire is null here. */
export function nullable<T>(inner: FieldType<T>): FieldType<T | null> {
  return {
    description: `nullable ${inner.description}`,
    encode: (value, name, tag) => (value === null ? tlv.null(tag) : inner.encode(value, name, tag)),
    decode: (element, name) => (element.type === 'null' ? null : inner.decode(element, name)),
  };
}

/** One member of a structure: its context tag and type; `optional` members may be absent (undefined). */
export interface Field<T> { tag: number; type: FieldType<T>; optional?: boolean }
export const field = <T>(tag: number, type: FieldType<T>): Field<T> => ({ tag, type });
export const optional = <T>(tag: number, type: FieldType<T>): Field<T> & { optional: true } => ({ tag, type, optional: true });

type Fields = Record<string, Field<any>>;
type RequiredKeys<F extends Fields> = { [K in keyof F]: F[K] extends { optional: true } ? never : K }[keyof F];
type OptionalKeys<F extends Fields> = Exclude<keyof F, RequiredKeys<F>>;
type ValueOf<X> = X extends Field<infer T> ? T : never;
/** The plain object a structure of these fields reads as. */
export type StructValue<F extends Fields> =
  { [K in RequiredKeys<F>]: ValueOf<F[K]> } & { [K in OptionalKeys<F>]?: ValueOf<F[K]> };

export interface StructType<T> extends FieldType<T> { readonly fields: Fields }

/**
 * A structure of context-tagged fields. Decoding ignores tags it does not know (spec: readers skip unknown fields)
 * and refuses a tag that appears twice.
 */
export function struct<F extends Fields>(fields: F): StructType<StructValue<F>> {
  const entries = Object.entries(fields);
  return {
    fields,
    description: 'struct',
    encode(value, name, tag) {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
        throw new TypeError(`${name}: expected an object, got ${describe(value)}`);
      }
      const record = value as Record<string, unknown>;
      return tlv.struct(entries.map(([key, f]) => {
        const member = record[key];
        if (member === undefined) {
          if (f.optional) return undefined;
          throw new TypeError(`${name}.${key}: missing (expected ${f.type.description})`);
        }
        return f.type.encode(member, `${name}.${key}`, f.tag);
      }), tag);
    },
    decode(element, name) {
      expectType(element, 'struct', name, 'a structure');
      const byTag = new Map<number, TlvElement>();
      for (const member of (element as { elements: readonly TlvElement[] }).elements) {
        if (!member.tag || !('context' in member.tag)) continue;
        if (byTag.has(member.tag.context)) throw new TlvFieldError(`${name}.${member.tag.context}`, 'appears twice in the structure');
        byTag.set(member.tag.context, member);
      }
      const out: Record<string, unknown> = {};
      for (const [key, f] of entries) {
        const member = byTag.get(f.tag);
        if (member === undefined) {
          if (f.optional) continue;
          throw new TlvFieldError(`${name}.${key}`, `missing from the structure (tag ${f.tag}, ${f.type.description})`);
        }
        out[key] = f.type.decode(member, `${name}.${key}`);
      }
      return out as StructValue<F>;
    },
  };
}
