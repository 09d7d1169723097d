// BTP, the Bluetooth Transport Protocol: Matter messages over a GATT connection, for browsers (Web Bluetooth) and
// Node peripherals alike.
export {
  BtpCodec, encodeHandshakeRequest, decodeHandshakeRequest, encodeHandshakeResponse, decodeHandshakeResponse,
  encodePacket, decodePacket, packetHeaderSize,
  type BtpHandshakeRequest, type BtpHandshakeResponse, type BtpPacket,
} from './btp-codec.js';
export {
  BtpSession, type BtpGattLink, type BtpRole, type BtpSessionOptions, type BtpCentralOptions,
  type BtpPeripheralOptions, type BtpTimerOptions,
} from './btp-session.js';
export { OutgoingMessage, Reassembler } from './btp-segments.js';
export { BtpProtocolError, BtpTimeoutError, BtpClosedError, type BtpTimer } from './btp-errors.js';
export {
  BTP_VERSION, BtpFlag, BtpTimeout, MAX_BTP_MESSAGE_SIZE, MIN_FRAGMENT_SIZE, MAX_FRAGMENT_SIZE, DEFAULT_WINDOW_SIZE,
  MIN_WINDOW_SIZE, MAX_WINDOW_SIZE, ATT_HEADER_SIZE,
} from './btp-constants.js';
