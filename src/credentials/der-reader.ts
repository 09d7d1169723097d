// Strict DER decoding (ITU-T X.690 §8 and §10) of the small ASN.1 subset Matter's X.509 certificates, PKCS#10
// requests and Certification Declarations use. DER has one encoding per value, and signatures cover encodings, so
// anything BER would tolerate (indefinite or non-minimal lengths, padded integers, constructed strings, a FALSE
// default written out) is refused: accepting it would let two byte strings mean one certificate. Every read is
// bounds-checked; errors are CertificateError('malformed-der') naming the byte offset.
import { CertificateError } from './certificate-error.js';

export const DerTag = Object.freeze({
  BOOLEAN: 0x01, INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06,
  UTF8_STRING: 0x0c, PRINTABLE_STRING: 0x13, IA5_STRING: 0x16, UTC_TIME: 0x17, GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30, SET: 0x31,
});

/** Context-specific tag [n], constructed (EXPLICIT or a constructed IMPLICIT type) or primitive. */
export const contextTag = (n: number, constructed = true): number => 0x80 | (constructed ? 0x20 : 0) | n;

/** Constructed elements nest at most this deep (a certificate needs 6; a CMS SignedData 8). */
const MAX_DEPTH = 16;
/** Largest content length accepted: two length octets. Matter's DER objects are all far below 64 KiB. */
const MAX_LENGTH_OCTETS = 2;

export interface DerNode {
  /** The identifier octet (class, constructed bit and tag number below 31). */
  tag: number;
  /** Content octets (a view into the input). */
  content: Uint8Array;
  /** The whole encoding: identifier, length and content (what a signature covers). */
  encoded: Uint8Array;
  /** Offset of the identifier octet in the outermost input, for error messages. */
  offset: number;
  /** Members of a constructed element; undefined for a primitive one. */
  children?: DerNode[];
}

const fail = (problem: string, at: number): never => {
  throw new CertificateError('malformed-der', `DER at byte ${at}: ${problem}`);
};

/** Decodes exactly one element (and everything inside it); trailing bytes are an error. */
export function decodeDer(bytes: Uint8Array, what = 'der'): DerNode {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${what}: expected a Uint8Array, got ${typeof bytes}`);
  if (bytes.length === 0) fail('the input is empty', 0);
  const node = readElement(bytes, 0, bytes.length, 0, 0);
  if (node.encoded.length !== bytes.length) {
    fail(`${bytes.length - node.encoded.length} trailing bytes`, node.encoded.length);
  }
  return node;
}

function readElement(input: Uint8Array, start: number, end: number, base: number, depth: number): DerNode {
  let at = start;
  const tag = input[at++]!;
  if ((tag & 0x1f) === 0x1f) fail('high tag numbers (31 and above) are not used by Matter', base + start);
  const tagClass = tag & 0xc0;
  if (tagClass === 0x40 || tagClass === 0xc0) {
    fail(`application and private tags are not used (0x${hex(tag)})`, base + start);
  }
  if (at >= end) fail('truncated: no length octet', base + at);
  let length = input[at++]!;
  if (length === 0x80) fail('indefinite length is not DER', base + at - 1);
  if (length > 0x80) {
    const octets = length & 0x7f;
    if (octets > MAX_LENGTH_OCTETS) {
      fail(`${octets} length octets; at most ${MAX_LENGTH_OCTETS} are accepted`, base + at - 1);
    }
    if (at + octets > end) fail('truncated length', base + at);
    if (input[at] === 0) fail('non-minimal length: leading zero octet', base + at);
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + input[at++]!;
    if (length < 0x80) fail(`non-minimal length: ${length} needs the short form`, base + start + 1);
  }
  if (length > end - at) {
    fail(`length ${length} runs past the end of its container (${end - at} bytes left)`, base + start);
  }
  const content = input.subarray(at, at + length);
  const node: DerNode = { tag, content, encoded: input.subarray(start, at + length), offset: base + start };
  const constructed = (tag & 0x20) !== 0;
  if (constructed) {
    if (tagClass === 0 && tag !== DerTag.SEQUENCE && tag !== DerTag.SET) {
      fail(`universal type ${tag & 0x1f} must be primitive in DER`, base + start);
    }
    if (depth >= MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`, base + start);
    const children: DerNode[] = [];
    let inner = at;
    while (inner < at + length) {
      const child = readElement(input, inner, at + length, base, depth + 1);
      children.push(child);
      inner += child.encoded.length;
    }
    node.children = children;
  } else if (tagClass === 0) {
    checkPrimitive(tag, content, base + start);
  }
  return node;
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const latin1 = new TextDecoder('latin1');

/** The content rules of the universal primitive types (X.690 §8, §10, §11). */
function checkPrimitive(tag: number, content: Uint8Array, at: number): void {
  switch (tag) {
    case DerTag.BOOLEAN:
      if (content.length !== 1 || (content[0] !== 0 && content[0] !== 0xff)) {
        fail('a BOOLEAN is one octet, 0x00 or 0xFF', at);
      }
      return;
    case DerTag.INTEGER:
      if (content.length === 0) fail('an INTEGER has at least one content octet', at);
      if (content.length > 1 && ((content[0] === 0 && content[1]! < 0x80) || (content[0] === 0xff && content[1]! >= 0x80))) {
        fail('non-minimal INTEGER encoding', at);
      }
      return;
    case DerTag.NULL:
      if (content.length !== 0) fail('NULL has no content', at);
      return;
    case DerTag.OID:
      oidString(content, at);
      return;
    case DerTag.BIT_STRING: {
      if (content.length === 0) fail('a BIT STRING has an unused-bits octet', at);
      const unused = content[0]!;
      if (unused > 7 || (content.length === 1 && unused !== 0)) fail(`bad unused-bits count ${unused}`, at);
      if (unused && (content[content.length - 1]! & ((1 << unused) - 1))) {
        fail('unused bits of a BIT STRING must be zero', at);
      }
      return;
    }
    case DerTag.UTF8_STRING:
      try { utf8.decode(content); } catch { fail('UTF8String is not valid UTF-8', at); }
      return;
    case DerTag.PRINTABLE_STRING:
      if (!PRINTABLE.test(latin1.decode(content))) fail('PrintableString has a character outside its set', at);
      return;
    case DerTag.IA5_STRING:
      if (content.some((b) => b > 0x7f)) fail('IA5String has a byte above 0x7F', at);
      return;
    case DerTag.UTC_TIME:
    case DerTag.GENERALIZED_TIME:
      timeSeconds(tag, content, at);
      return;
    default:
      return; // Other universal types are kept as opaque bytes; a reader that needs one will refuse it.
  }
}

/** Dotted-decimal form of OID content octets; arcs must fit 2^53 and use minimal base-128 encoding. */
function oidString(content: Uint8Array, at: number): string {
  if (content.length === 0) fail('an OBJECT IDENTIFIER has content', at);
  if (content[content.length - 1]! & 0x80) fail('OBJECT IDENTIFIER ends inside an arc', at);
  const arcs: number[] = [];
  let value = 0, fresh = true;
  for (const byte of content) {
    if (fresh && byte === 0x80) fail('non-minimal OBJECT IDENTIFIER arc (leading 0x80)', at);
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER) fail('OBJECT IDENTIFIER arc too large', at);
    fresh = (byte & 0x80) === 0;
    if (fresh) {
      if (arcs.length === 0) arcs.push(value < 40 ? 0 : value < 80 ? 1 : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

const TIME_FORMATS = {
  [DerTag.UTC_TIME]: /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/,
  [DerTag.GENERALIZED_TIME]: /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/,
} as Record<number, RegExp>;

/** Seconds since the Unix epoch; UTC with seconds and no fraction, as RFC 5280 §4.1.2.5 requires. */
function timeSeconds(tag: number, content: Uint8Array, at: number): number {
  const match = TIME_FORMATS[tag]!.exec(latin1.decode(content));
  if (!match) {
    fail(`${tag === DerTag.UTC_TIME ? 'UTCTime YYMMDDHHMMSSZ' : 'GeneralizedTime YYYYMMDDHHMMSSZ'} expected`, at);
  }
  const [year2, month, day, hour, minute, second] = match!.slice(1).map(Number) as [number, number, number, number, number, number];
  // RFC 5280: a two-digit year below 50 is 20YY, otherwise 19YY.
  const year = tag === DerTag.UTC_TIME ? (year2 < 50 ? 2000 + year2 : 1900 + year2) : year2;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day ||
    check.getUTCHours() !== hour || check.getUTCMinutes() !== minute || check.getUTCSeconds() !== second) {
    fail('time names no real instant (month, day, hour, minute or second out of range)', at);
  }
  return ms / 1000;
}

const hex = (b: number): string => b.toString(16).padStart(2, '0');

// Typed readers. `what` names the field for the error message.

export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node) throw new CertificateError('malformed-der', `${what}: missing`);
  if (node.tag !== tag) fail(`${what}: expected tag 0x${hex(tag)}, got 0x${hex(node.tag)}`, node.offset);
  return node;
}

/** The members of a SEQUENCE (or SET, or constructed context tag), optionally with an exact or minimum count. */
export function members(node: DerNode | undefined, tag: number, what: string, count?: { min?: number; max?: number }): DerNode[] {
  const children = expectTag(node, tag, what).children ?? fail(`${what}: expected a constructed element`, node!.offset);
  if (count?.min !== undefined && children.length < count.min) {
    fail(`${what}: expected at least ${count.min} members, got ${children.length}`, node!.offset);
  }
  if (count?.max !== undefined && children.length > count.max) {
    fail(`${what}: expected at most ${count.max} members, got ${children.length}`, node!.offset);
  }
  return children;
}

export function readOid(node: DerNode | undefined, what: string): string {
  return oidString(expectTag(node, DerTag.OID, what).content, node!.offset);
}

export function readBoolean(node: DerNode | undefined, what: string): boolean {
  return expectTag(node, DerTag.BOOLEAN, what).content[0] === 0xff;
}

/** A non-negative INTEGER that fits in a safe JS number. */
export function readSmallUnsigned(node: DerNode | undefined, what: string): number {
  const content = expectTag(node, DerTag.INTEGER, what).content;
  if (content[0]! & 0x80) fail(`${what}: expected a non-negative INTEGER`, node!.offset);
  if (content.length > 7) fail(`${what}: INTEGER too large`, node!.offset);
  let value = 0;
  for (const byte of content) value = value * 256 + byte;
  return value;
}

/** BIT STRING content without its unused-bits octet, and that count. */
export function readBitString(node: DerNode | undefined, what: string): { bits: Uint8Array; unusedBits: number } {
  const content = expectTag(node, DerTag.BIT_STRING, what).content;
  return { bits: content.subarray(1), unusedBits: content[0]! };
}

/** A BIT STRING holding whole octets (keys, signatures). */
export function readOctetAlignedBits(node: DerNode | undefined, what: string): Uint8Array {
  const { bits, unusedBits } = readBitString(node, what);
  if (unusedBits !== 0) fail(`${what}: expected whole octets in the BIT STRING`, node!.offset);
  return bits;
}

export function readOctetString(node: DerNode | undefined, what: string): Uint8Array {
  return expectTag(node, DerTag.OCTET_STRING, what).content;
}

/** UTF8String, PrintableString or IA5String content as a string (validated when decoded). */
export function readString(node: DerNode | undefined, what: string): string {
  if (!node) throw new CertificateError('malformed-der', `${what}: missing`);
  if (node.tag === DerTag.UTF8_STRING) return utf8.decode(node.content);
  if (node.tag === DerTag.PRINTABLE_STRING || node.tag === DerTag.IA5_STRING) return latin1.decode(node.content);
  return fail(`${what}: expected a UTF8String, PrintableString or IA5String, got tag 0x${hex(node.tag)}`, node.offset);
}

/** UTCTime or GeneralizedTime as seconds since the Unix epoch. */
export function readTime(node: DerNode | undefined, what: string): number {
  if (!node) throw new CertificateError('malformed-der', `${what}: missing`);
  if (node.tag !== DerTag.UTC_TIME && node.tag !== DerTag.GENERALIZED_TIME) {
    fail(`${what}: expected UTCTime or GeneralizedTime, got tag 0x${hex(node.tag)}`, node.offset);
  }
  return timeSeconds(node.tag, node.content, node.offset);
}
