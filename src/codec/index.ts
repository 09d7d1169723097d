export { MalformedMessageError } from './malformed-message-error.js';
export {
  SessionType, type MessageHeader, encodeMessageHeader, decodeMessageHeader, messageHeaderLength, writeMessageHeader,
  securityFlags,
} from './message-header.js';
export { type PayloadHeader, encodePayloadHeader, decodePayloadHeader, payloadHeaderLength, writePayloadHeader } from './payload-header.js';
export { privacyNonce, obfuscateHeader, deobfuscatedCopy, MIC_LENGTH } from './privacy-obfuscation.js';
export * from './tlv.js';
export {
  type StatusReport, encodeStatusReport, decodeStatusReport, GeneralStatusCode, SecureChannelStatusCode, STATUS_REPORT_OPCODE,
} from './status-report.js';
export { emptyMessageHeader, readMessageHeaderInto, copyMessageHeader } from './message-header.js';
export { emptyPayloadHeader, readPayloadHeaderInto, copyPayloadHeader } from './payload-header.js';
