// Builders for the common case: structures of context-tagged fields, as Matter messages are written. A tag given
// as a number is a context tag. Container builders skip undefined members, so optional fields read naturally:
//   tlv.struct([tlv.bytes(random, 1), tlv.uint(sessionId, 2), params ? sessionParameters(params, 5) : undefined])
import type {
  TlvArray, TlvBool, TlvByteString, TlvElement, TlvFloat32, TlvFloat64, TlvInteger, TlvList, TlvNull, TlvSignedInt,
  TlvStructure, TlvTag, TlvUnsignedInt, TlvUtf8String,
} from './tlv-element.js';

/** A context tag number, any other tag, or nothing for an anonymous element. */
export type TlvTagArgument = number | TlvTag | undefined;
type Members = readonly (TlvElement | undefined)[];

function tagged<T extends TlvElement>(element: T, tag: TlvTagArgument): T {
  if (tag === undefined) return element;
  return withTag(element, typeof tag === 'number' ? { context: tag } : tag);
}

/**
 * The element with another tag (or none), as a new object written out per type: object spread would do the same
 * through V8's generic path, many times slower on the hot path of every Interaction Model message.
 */
export function withTag<T extends TlvElement>(element: T, tag: TlvTag | undefined): T {
  const e = element as TlvElement;
  let copy: TlvElement;
  switch (e.type) {
    case 'int': case 'uint':
      copy = tag ? { tag, type: e.type, value: e.value } as TlvElement : { type: e.type, value: e.value } as TlvElement;
      if (e.width !== undefined) (copy as TlvSignedInt).width = e.width;
      break;
    case 'utf8': case 'bytes':
      copy = tag ? { tag, type: e.type, value: e.value } as TlvElement : { type: e.type, value: e.value } as TlvElement;
      if (e.lenWidth !== undefined) (copy as TlvUtf8String).lenWidth = e.lenWidth;
      break;
    case 'bool': case 'float32': case 'float64':
      copy = tag ? { tag, type: e.type, value: e.value } as TlvElement : { type: e.type, value: e.value } as TlvElement;
      break;
    case 'null':
      copy = tag ? { tag, type: 'null' } : { type: 'null' };
      break;
    case 'struct': case 'array': case 'list':
      copy = tag ? { tag, type: e.type, elements: e.elements } as TlvElement : { type: e.type, elements: e.elements } as TlvElement;
      break;
    default:
      // Not an element: left for the encoder to refuse with its path.
      copy = { ...(e as object), tag } as TlvElement;
      if (!tag) delete copy.tag;
  }
  return copy as T;
}

const present = (members: Members): TlvElement[] => members.filter((m): m is TlvElement => m !== undefined);

export const tlv = Object.freeze({
  uint: (value: TlvInteger, tag?: TlvTagArgument): TlvUnsignedInt => tagged({ type: 'uint', value }, tag),
  int: (value: TlvInteger, tag?: TlvTagArgument): TlvSignedInt => tagged({ type: 'int', value }, tag),
  bool: (value: boolean, tag?: TlvTagArgument): TlvBool => tagged({ type: 'bool', value }, tag),
  /** The value is rounded to the nearest float32 when encoded. */
  float32: (value: number, tag?: TlvTagArgument): TlvFloat32 => tagged({ type: 'float32', value }, tag),
  float64: (value: number, tag?: TlvTagArgument): TlvFloat64 => tagged({ type: 'float64', value }, tag),
  utf8: (value: string, tag?: TlvTagArgument): TlvUtf8String => tagged({ type: 'utf8', value }, tag),
  bytes: (value: Uint8Array, tag?: TlvTagArgument): TlvByteString => tagged({ type: 'bytes', value }, tag),
  null: (tag?: TlvTagArgument): TlvNull => tagged({ type: 'null' }, tag),
  struct: (members: Members, tag?: TlvTagArgument): TlvStructure =>
    tagged({ type: 'struct', elements: present(members) }, tag),
  array: (members: Members, tag?: TlvTagArgument): TlvArray =>
    tagged({ type: 'array', elements: present(members) }, tag),
  list: (members: Members, tag?: TlvTagArgument): TlvList =>
    tagged({ type: 'list', elements: present(members) }, tag),
});
