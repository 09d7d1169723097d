// Matter TLV (Matter Core spec Appendix A; connectedhomeip src/lib/core/TLV*): the typed element model, the
// encoder and decoder, builders for context-tagged structures and a typed reader for their fields.
export {
  MAX_TLV_NESTING, type TlvArray, type TlvBool, type TlvByteString, type TlvCommonProfileTag, type TlvContainer,
  type TlvContextTag, type TlvElement, type TlvElementType, type TlvFloat32, type TlvFloat64,
  type TlvFullyQualifiedTag, type TlvImplicitProfileTag, type TlvInteger, type TlvList, type TlvNull,
  type TlvSignedInt, type TlvStructure, type TlvTag, type TlvUnsignedInt, type TlvUtf8String, type TlvWidth,
} from './tlv-element.js';
export { MalformedTlvError, TlvFieldError } from './tlv-errors.js';
export { encodeTlv, encodeTlvSequence } from './tlv-encode.js';
export { decodeTlv, decodeTlvSequence } from './tlv-decode.js';
export { tlv, type TlvTagArgument } from './tlv-build.js';
export { TlvFields, decodeTlvStruct, type TlvIntegerBits } from './tlv-fields.js';
