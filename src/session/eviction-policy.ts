// Which secure session to evict when the table is full (the SDK's SecureSessionTable default eviction policy).
// Candidates are ranked best-first by, in order:
//   1. more sessions on the candidate's fabric (relieve the fabric using the most of the table),
//   2. on the fabric of the eviction hint (the peer the new session is for),
//   3. more sessions to the candidate's peer (duplicates to one peer are the cheapest to lose),
//   4. the hint's peer itself, unless the candidate is that peer's only active session,
//   5. state: defunct before active before establishing,
//   6. least recent activity.
// Sessions pending eviction are skipped by the caller: they are already on their way out.

export type SessionState = 'establishing' | 'active' | 'defunct' | 'pending-eviction';

export interface EvictionCandidate {
  fabricIndex: number | undefined;
  peerNodeId: bigint;
  state: SessionState;
  lastActivity: number;
}

export interface EvictionHint {
  fabricIndex: number | undefined;
  nodeId: bigint;
}

const STATE_SCORE: Record<SessionState, number> = { defunct: 2, active: 1, establishing: 0, 'pending-eviction': 3 };

const peerKey = (fabricIndex: number | undefined, nodeId: bigint): string => `${fabricIndex ?? '-'}/${nodeId}`;

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** The candidates, best to evict first. */
export function rankEvictionCandidates<T extends EvictionCandidate>(sessions: readonly T[], hint?: EvictionHint): T[] {
  const perFabric = countBy(sessions, (s) => String(s.fabricIndex ?? '-'));
  const perPeer = countBy(sessions, (s) => peerKey(s.fabricIndex, s.peerNodeId));
  const activePerPeer = countBy(sessions.filter((s) => s.state === 'active'), (s) => peerKey(s.fabricIndex, s.peerNodeId));
  const hintPeer = hint ? peerKey(hint.fabricIndex, hint.nodeId) : undefined;

  const scored = sessions.map((s) => {
    const peer = peerKey(s.fabricIndex, s.peerNodeId);
    const onlyActiveToPeer = s.state === 'active' && activePerPeer.get(peer) === 1;
    return {
      session: s,
      keys: [
        perFabric.get(String(s.fabricIndex ?? '-'))!,
        hint && s.fabricIndex === hint.fabricIndex ? 1 : 0,
        perPeer.get(peer)!,
        peer === hintPeer && !onlyActiveToPeer ? 1 : 0,
        STATE_SCORE[s.state],
        -s.lastActivity,
      ],
    };
  });
  scored.sort((a, b) => {
    for (let i = 0; i < a.keys.length; i++) {
      if (a.keys[i] !== b.keys[i]) return b.keys[i]! - a.keys[i]!;
    }
    return 0;
  });
  return scored.map((s) => s.session);
}
