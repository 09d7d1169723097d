// What the page shows about the current (or last) session, kept in IndexedDB so a reload still shows it. Session
// keys are never stored: a PASE session lives in memory only, so after a reload the record reads as closed.
import { IndexedDbStore, type SecureSession } from '../../src/web.js';

export type Transport = 'Bluetooth (BTP)' | 'WebSocket';

export interface SessionRecord {
  transport: Transport;
  /** The device's name or the edge's URL. */
  peer: string;
  /** The channel's name (e.g. "btp:MATTER-3840"). */
  channel: string;
  kind: string;
  localSessionId: number;
  peerSessionId: number;
  /** The session parameters the peer announced. */
  peerParameters: Record<string, number>;
  establishedAt: number;
  lastActivity: number;
  vendorName?: string;
  /** Why the session ended; absent while it is open. */
  closed?: string;
}

export function recordOf(session: SecureSession, transport: Transport, peer: string): SessionRecord {
  const peerParameters: Record<string, number> = {};
  for (const [name, value] of Object.entries(session.peerParameters)) if (typeof value === 'number') peerParameters[name] = value;
  return {
    transport, peer, channel: session.channel?.name ?? '', kind: session.kind,
    localSessionId: session.id, peerSessionId: session.peerSessionId, peerParameters,
    establishedAt: session.createdAt, lastActivity: session.lastActivity,
  };
}

const KEY = 'session/last';

export class SessionRecordStore {
  readonly #store = new IndexedDbStore('matter-sessions-web-app');

  async load(): Promise<SessionRecord | undefined> {
    const bytes = await this.#store.get(KEY);
    return bytes && JSON.parse(new TextDecoder().decode(bytes)) as SessionRecord;
  }

  save(record: SessionRecord): Promise<void> {
    return this.#store.set(KEY, new TextEncoder().encode(JSON.stringify(record)));
  }
}
