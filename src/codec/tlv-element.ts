// The typed model of a Matter TLV element (Matter Core spec, Appendix A "Tag-length-value (TLV) Encoding Format").
// It keeps everything the encoding says, including non-minimal widths, so decode then encode gives back the bytes.

/** Byte width of an integer value or of a string's length field. */
export type TlvWidth = 1 | 2 | 4 | 8;

/**
 * An integer's value. Decoding gives a `number` when the value is a safe integer (|v| <= 2^53 - 1) and a `bigint`
 * otherwise, whatever the width on the wire; encoding accepts either.
 */
export type TlvInteger = number | bigint;

/** Context-specific tag, 0..255: the member's number inside a structure or list. */
export interface TlvContextTag { context: number }
/** Tag in the Matter common profile (profile 0), 0..2^32-1; `tagWidth: 4` forces the 4-byte form of a small tag. */
export interface TlvCommonProfileTag { common: number; tagWidth?: 2 | 4 }
/** Tag in the profile the reader and writer agree on out of band, 0..2^32-1. */
export interface TlvImplicitProfileTag { implicit: number; tagWidth?: 2 | 4 }
/** Vendor id and profile number (16 bits each) plus a tag number 0..2^32-1; `tagWidth: 8` forces the 8-byte form. */
export interface TlvFullyQualifiedTag { vendor: number; profile: number; tag: number; tagWidth?: 6 | 8 }

/** Every tag form; an element without a tag is anonymous. */
export type TlvTag = TlvContextTag | TlvCommonProfileTag | TlvImplicitProfileTag | TlvFullyQualifiedTag;

interface Tagged { tag?: TlvTag }

/** `width` is present only when the encoding is wider than the value needs (or to force a wider encoding). */
export interface TlvSignedInt extends Tagged { type: 'int'; value: TlvInteger; width?: TlvWidth }
export interface TlvUnsignedInt extends Tagged { type: 'uint'; value: TlvInteger; width?: TlvWidth }
export interface TlvBool extends Tagged { type: 'bool'; value: boolean }
export interface TlvFloat32 extends Tagged { type: 'float32'; value: number }
export interface TlvFloat64 extends Tagged { type: 'float64'; value: number }
/** `lenWidth` is present only when the length field is wider than the length needs. */
export interface TlvUtf8String extends Tagged { type: 'utf8'; value: string; lenWidth?: TlvWidth }
export interface TlvByteString extends Tagged { type: 'bytes'; value: Uint8Array; lenWidth?: TlvWidth }
export interface TlvNull extends Tagged { type: 'null' }
/** Members have distinct, non-anonymous tags. */
export interface TlvStructure extends Tagged { type: 'struct'; elements: readonly TlvElement[] }
/** Members are anonymous. */
export interface TlvArray extends Tagged { type: 'array'; elements: readonly TlvElement[] }
/** Members may have any tag, repeated or not, and keep their order. */
export interface TlvList extends Tagged { type: 'list'; elements: readonly TlvElement[] }

export type TlvContainer = TlvStructure | TlvArray | TlvList;
export type TlvElement =
  | TlvSignedInt | TlvUnsignedInt | TlvBool | TlvFloat32 | TlvFloat64 | TlvUtf8String | TlvByteString | TlvNull
  | TlvContainer;
export type TlvElementType = TlvElement['type'];

/** Containers may nest this deep; deeper input is refused rather than recursed into. */
export const MAX_TLV_NESTING = 32;
