// Figures of the Bluetooth Transport Protocol (Matter Core spec "Bluetooth Transport Protocol (BTP)"), with the
// SDK (src/ble) and matter.js values they come from where the spec leaves a range.

/** The only BTP version Matter defines. */
export const BTP_VERSION = 4;

/** Header flag bits of every BTP packet. */
export const BtpFlag = {
  /** B: first segment of a message; the 2-byte message length follows the sequence number. */
  beginMessage: 0x01,
  /** C: a later segment of a message. */
  continueMessage: 0x02,
  /** E: last segment of a message. */
  endMessage: 0x04,
  /** A: an acknowledgement number follows the flags (a packet with only A set is a standalone ack). */
  ack: 0x08,
  /** M: a management opcode follows the flags (only the handshake uses one). */
  management: 0x20,
  /** H: handshake packet. */
  handshake: 0x40,
} as const;

/** Flags byte and management opcode that open both handshake packets: 0x65 = H | M | E | B, then 0x6C. */
export const HANDSHAKE_FLAGS = 0x65;
export const HANDSHAKE_OPCODE = 0x6c;

/** The ATT header (opcode + handle) that a GATT write or indication spends out of the ATT MTU. */
export const ATT_HEADER_SIZE = 3;
/** Fragment size when neither side knows the ATT MTU: the minimum ATT MTU (23) minus the ATT header. */
export const MIN_FRAGMENT_SIZE = 20;
/** Largest fragment size in use (SDK and matter.js): a 247-byte ATT MTU minus the ATT header. */
export const MAX_FRAGMENT_SIZE = 244;

/** Largest Matter message carried over BTP: the 1280-byte IPv6 minimum MTU minus 48 bytes (matter.js). */
export const MAX_BTP_MESSAGE_SIZE = 1232;

/** Receive window both sides use unless told otherwise (SDK BLE_MAX_RECEIVE_WINDOW_SIZE). */
export const DEFAULT_WINDOW_SIZE = 6;
/** Smallest window accepted: with its last slot kept for an ack, two segments can still travel at once. */
export const MIN_WINDOW_SIZE = 3;
export const MAX_WINDOW_SIZE = 255;

/** Default timer durations in milliseconds. */
export const BtpTimeout = {
  /** Handshake response must arrive (central) / the central must subscribe (peripheral) within this (SDK). */
  handshakeMs: 15_000,
  /** A packet of ours unacknowledged this long closes the session (spec BTP_ACK_TIMEOUT). */
  ackReceivedMs: 15_000,
  /** An ack we owe goes out on its own at the latest after this (SDK BTP_ACK_SEND_TIMEOUT). */
  sendAckMs: 2_500,
} as const;
