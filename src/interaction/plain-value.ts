// An attribute's TLV value as a plain JavaScript value, for printing. Structure members are keyed by their context
// tag number (the data model's field ids); arrays and lists become arrays.
import type { TlvElement, TlvTag } from '../codec/tlv.js';

export type PlainValue =
  | string | number | bigint | boolean | Uint8Array | null | PlainValue[] | { [field: string]: PlainValue };

/** Integers stay a number when safe and a bigint otherwise, as the TLV decoder gives them. */
export function tlvToPlainValue(element: TlvElement): PlainValue {
  switch (element.type) {
    case 'struct':
      return Object.fromEntries(element.elements.map((member) => [fieldKey(member.tag), tlvToPlainValue(member)]));
    case 'array': case 'list':
      return element.elements.map(tlvToPlainValue);
    case 'null':
      return null;
    default:
      return element.value;
  }
}

/** Data model structures use context tags only; other tag forms keep enough to stay distinct. */
function fieldKey(tag: TlvTag | undefined): string {
  if (tag === undefined) return '';
  if ('context' in tag) return String(tag.context);
  if ('common' in tag) return `common:${tag.common}`;
  if ('implicit' in tag) return `implicit:${tag.implicit}`;
  return `${tag.vendor}:${tag.profile}:${tag.tag}`;
}
