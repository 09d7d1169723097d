// A DNS-SD service instance as Matter advertises it (Matter Core spec §4.3 "Discovery", RFC 6763): the service
// type, the instance name, its subtypes and its TXT key/value pairs. Pure data: an mDNS responder (Node:
// mdns-advertiser.node.ts) publishes it; nothing here touches the network.
import type { SessionParameters } from '../session/session-parameters.js';

export interface DnssdService {
  /** '_matterc._udp' (commissionable, §4.3.1) or '_matter._tcp' (operational, §4.3.2). */
  type: string;
  /** The instance label (RFC 6763 §4.1), without the service type or domain. */
  instance: string;
  /** Subtype labels with their underscore ('_L3840'), advertised as `<subtype>._sub.<type>.local`. */
  subtypes: string[];
  /** TXT entries as key=value strings (RFC 6763 §6.3), in a stable order. */
  txt: Record<string, string>;
}

export const COMMISSIONABLE_SERVICE_TYPE = '_matterc._udp';
export const OPERATIONAL_SERVICE_TYPE = '_matter._tcp';

/** RFC 6763 §6.1: one TXT string (key=value) is at most 255 bytes; Matter's keys stay well under it. */
const MAX_TXT_ENTRY_BYTES = 255;
/** §4.3.4: SII and SAI are at most one hour (as connectedhomeip's TxtFields.h bounds them), SAT fits 16 bits. */
export const MAX_MRP_INTERVAL_MS = 3_600_000;
export const MAX_MRP_THRESHOLD_MS = 0xffff;

const utf8 = new TextEncoder();

/** Checks an integer field, naming it in the error. */
export function integerField(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name}: expected an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/**
 * §4.3.4 "Common TXT key/value pairs": SII (idle retransmission base, ms), SAI (active retransmission base, ms) and
 * SAT (how long a peer counts as active, ms) tell a peer how to pace its retransmissions before any session exists.
 */
export function mrpTxt(parameters: Pick<SessionParameters, 'idleInterval' | 'activeInterval' | 'activeThreshold'>): Record<string, string> {
  return {
    SII: String(integerField('sessionParameters.idleInterval', parameters.idleInterval, 0, MAX_MRP_INTERVAL_MS)),
    SAI: String(integerField('sessionParameters.activeInterval', parameters.activeInterval, 0, MAX_MRP_INTERVAL_MS)),
    SAT: String(integerField('sessionParameters.activeThreshold', parameters.activeThreshold, 0, MAX_MRP_THRESHOLD_MS)),
  };
}

/** Checks that every TXT entry fits one DNS character-string; returns the record unchanged. */
export function checkTxt(txt: Record<string, string>): Record<string, string> {
  for (const [key, value] of Object.entries(txt)) {
    const bytes = utf8.encode(`${key}=${value}`).length;
    if (bytes > MAX_TXT_ENTRY_BYTES) throw new RangeError(`txt.${key}: the entry is ${bytes} bytes, at most ${MAX_TXT_ENTRY_BYTES} fit`);
  }
  return txt;
}

/** Uppercase hex of bytes (Matter's DNS-SD names use capital letters, §4.3.1.1, §4.3.2.1). */
export function upperHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
}
