// `--fields JSON` for `matter-sessions invoke`: command fields as JSON, turned into the TLV structure a
// CommandDataIB carries (Matter Core spec 8.9.2.2 "CommandFields": a structure whose members are context-tagged by
// field id). JSON cannot say which TLV type a number is, so plain values are inferred and a one-key object forces a
// type where the inference would be wrong:
//   {"0": 60, "1": 0}                     ArmFailSafe: uint fields 0 and 1
//   {"0": {"bytes": "00ff"}}              an octet string (hex)
//   {"0": {"int": -5}}, {"uint": "18446744073709551615"}, {"float": 1.5}, {"double": 1.5}, {"utf8": "x"}, {"null": true}
// Inference: a non-negative integer is uint, a negative one int, another number float64, a string utf8, a boolean
// bool, null null, an array an anonymous array, an object with numeric keys a structure.
import type { TlvElement, TlvTag } from '../codec/tlv.js';

export class FieldsJsonError extends TypeError {
  override name = 'FieldsJsonError';
}

const TYPE_KEYS = new Set(['bytes', 'int', 'uint', 'float', 'double', 'utf8', 'null', 'bool']);

/** Parses `--fields` text into a TLV structure (anonymous, as CommandFields is tagged by its container). */
export function fieldsFromJson(text: string): TlvElement {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FieldsJsonError(`--fields: expected JSON, got ${JSON.stringify(text)} (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FieldsJsonError('--fields: expected a JSON object keyed by field id, e.g. {"0": 60}');
  }
  return toElement(value, undefined, 'fields', 0);
}

function fieldTag(key: string, path: string): { context: number } {
  const id = /^0x[0-9a-f]+$/i.test(key) ? Number.parseInt(key.slice(2), 16) : /^\d+$/.test(key) ? Number(key) : NaN;
  if (!Number.isInteger(id) || id < 0 || id > 255) {
    throw new FieldsJsonError(`${path}: field ids are context tags 0 to 255 (decimal or 0x hex), got "${key}"`);
  }
  return { context: id };
}

function integer(value: unknown, path: string): number | bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new FieldsJsonError(`${path}: expected an integer (a JSON number or a decimal string), got ${JSON.stringify(value)}`);
}

function toElement(value: unknown, tag: TlvTag | undefined, path: string, depth: number): TlvElement {
  if (depth > 16) throw new FieldsJsonError(`${path}: nested deeper than 16 levels`);
  const tagged = tag === undefined ? {} : { tag };
  if (value === null) return { type: 'null', ...tagged };
  if (typeof value === 'boolean') return { type: 'bool', value, ...tagged };
  if (typeof value === 'string') return { type: 'utf8', value, ...tagged };
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return { type: value < 0 ? 'int' : 'uint', value, ...tagged };
    if (!Number.isFinite(value)) throw new FieldsJsonError(`${path}: expected a finite number`);
    return { type: 'float64', value, ...tagged };
  }
  if (Array.isArray(value)) {
    return { type: 'array', elements: value.map((item, i) => toElement(item, undefined, `${path}[${i}]`, depth + 1)), ...tagged };
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && TYPE_KEYS.has(entries[0]![0])) return typed(entries[0]![0], entries[0]![1], tagged, path);
    // Members in ascending tag order, as the data model writes structures (and whatever order JSON keys came in).
    const members = entries.map(([key, member]) => ({ key, tag: fieldTag(key, `${path}.${key}`), member }))
      .sort((a, b) => a.tag.context - b.tag.context);
    for (let i = 1; i < members.length; i++) {
      if (members[i]!.tag.context === members[i - 1]!.tag.context) {
        throw new FieldsJsonError(`${path}: fields "${members[i - 1]!.key}" and "${members[i]!.key}" are the same field id`);
      }
    }
    return {
      type: 'struct',
      elements: members.map(({ key, tag, member }) => toElement(member, tag, `${path}.${key}`, depth + 1)),
      ...tagged,
    };
  }
  throw new FieldsJsonError(`${path}: unsupported JSON value`);
}

function typed(kind: string, value: unknown, tagged: { tag?: TlvTag }, path: string): TlvElement {
  switch (kind) {
    case 'bytes': {
      if (typeof value !== 'string' || !/^([0-9a-f]{2})*$/i.test(value)) {
        throw new FieldsJsonError(`${path}.bytes: expected an even number of hex digits, got ${JSON.stringify(value)}`);
      }
      return { type: 'bytes', value: Uint8Array.from(value.match(/../g) ?? [], (b) => Number.parseInt(b, 16)), ...tagged };
    }
    case 'int': return { type: 'int', value: integer(value, `${path}.int`), ...tagged };
    case 'uint': {
      const n = integer(value, `${path}.uint`);
      if (n < 0) throw new FieldsJsonError(`${path}.uint: expected a non-negative integer, got ${String(n)}`);
      return { type: 'uint', value: n, ...tagged };
    }
    case 'float': case 'double':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new FieldsJsonError(`${path}.${kind}: expected a finite number`);
      return { type: kind === 'float' ? 'float32' : 'float64', value, ...tagged };
    case 'utf8':
      if (typeof value !== 'string') throw new FieldsJsonError(`${path}.utf8: expected a string`);
      return { type: 'utf8', value, ...tagged };
    case 'bool':
      if (typeof value !== 'boolean') throw new FieldsJsonError(`${path}.bool: expected true or false`);
      return { type: 'bool', value, ...tagged };
    default:
      return { type: 'null', ...tagged };
  }
}
