// DER encoding (ITU-T X.690 §10) of the same subset der-reader.ts reads: each function returns one complete element,
// and containers take their members' encodings, so a structure is written inside out with no length patching. Every
// output is the single DER encoding of its value; der-reader.ts accepts exactly these.
import { DerTag } from './der-reader.js';

export function derElement(tag: number, content: Uint8Array): Uint8Array {
  const length = content.length;
  const head = length < 0x80 ? [tag, length]
    : length < 0x100 ? [tag, 0x81, length]
    : [tag, 0x82, length >> 8, length & 0xff];
  if (length > 0xffff) throw new RangeError(`DER content of ${length} bytes exceeds the 65535 this codec writes`);
  const out = new Uint8Array(head.length + length);
  out.set(head, 0);
  out.set(content, head.length);
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export const derSequence = (...members: Uint8Array[]): Uint8Array => derElement(DerTag.SEQUENCE, concatBytes(members));
export const derSet = (...members: Uint8Array[]): Uint8Array => derElement(DerTag.SET, concatBytes(members));
/** [n] EXPLICIT (constructed) around complete elements. */
export const derExplicit = (n: number, ...members: Uint8Array[]): Uint8Array => derElement(0xa0 | n, concatBytes(members));
export const derOctetString = (content: Uint8Array): Uint8Array => derElement(DerTag.OCTET_STRING, content);
export const derBoolean = (value: boolean): Uint8Array => derElement(DerTag.BOOLEAN, Uint8Array.of(value ? 0xff : 0));
export const derNull = (): Uint8Array => derElement(DerTag.NULL, new Uint8Array(0));

/** A BIT STRING of whole octets (a key or a signature). */
export const derBitString = (content: Uint8Array, unusedBits = 0): Uint8Array =>
  derElement(DerTag.BIT_STRING, concatBytes([Uint8Array.of(unusedBits), content]));

/** INTEGER from content octets that are already minimal two's complement (a certificate's serial number). */
export const derIntegerContent = (content: Uint8Array): Uint8Array => derElement(DerTag.INTEGER, content);

/** The minimal two's-complement content octets of a non-negative integer. */
export function unsignedIntegerContent(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError(`value: expected a non-negative integer, got ${value}`);
  const digits = value.toString(16);
  const padded = digits.length % 2 ? `0${digits}` : digits;
  const bytes = Uint8Array.from(padded.match(/../g)!, (b) => parseInt(b, 16));
  return bytes[0]! & 0x80 ? concatBytes([Uint8Array.of(0), bytes]) : bytes;
}

export const derUnsigned = (value: bigint | number): Uint8Array =>
  derIntegerContent(unsignedIntegerContent(BigInt(value)));

const oidCache = new Map<string, Uint8Array>();

export function derOid(dotted: string): Uint8Array {
  const cached = oidCache.get(dotted);
  if (cached) return cached;
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0) || arcs[0]! > 2 || (arcs[0]! < 2 && arcs[1]! >= 40)) {
    throw new RangeError(`oid: expected a dotted object identifier, got ${dotted}`);
  }
  const content: number[] = [];
  for (const arc of [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)]) {
    const base128: number[] = [];
    let rest = arc;
    do {
      base128.unshift((rest % 128) | (base128.length ? 0x80 : 0));
      rest = Math.floor(rest / 128);
    } while (rest > 0);
    content.push(...base128);
  }
  const encoded = derElement(DerTag.OID, Uint8Array.from(content));
  oidCache.set(dotted, encoded);
  return encoded;
}

const utf8 = new TextEncoder();
export const derUtf8String = (value: string): Uint8Array => derElement(DerTag.UTF8_STRING, utf8.encode(value));
/** PrintableString and IA5String: the caller has checked the characters (ASCII subsets). */
export const derAsciiString = (tag: number, value: string): Uint8Array =>
  derElement(tag, Uint8Array.from(value, (c) => c.charCodeAt(0)));

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * RFC 5280 §4.1.2.5: UTCTime for years 1950 to 2049, GeneralizedTime otherwise. `unixSeconds` is a whole number of
 * seconds since the Unix epoch.
 */
export function derTime(unixSeconds: number): Uint8Array {
  const d = new Date(unixSeconds * 1000);
  const year = d.getUTCFullYear();
  const rest = `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  return year >= 1950 && year < 2050
    ? derAsciiString(DerTag.UTC_TIME, `${two(year % 100)}${rest}`)
    : derAsciiString(DerTag.GENERALIZED_TIME, `${String(year).padStart(4, '0')}${rest}`);
}
