// Renders a session record as a description list.
import type { SessionRecord } from './session-record.js';

const time = (ms: number) => new Date(ms).toLocaleTimeString(undefined, { hour12: false });

function parametersText(parameters: Record<string, number>): string {
  const { idleInterval, activeInterval, activeThreshold, ...others } = parameters;
  const parts = [`idle interval ${idleInterval} ms`, `active interval ${activeInterval} ms`, `active threshold ${activeThreshold} ms`];
  for (const [name, value] of Object.entries(others)) parts.push(`${name} ${value}`);
  return parts.join(', ');
}

export function renderSession(list: HTMLDListElement, record: SessionRecord | undefined): void {
  const rows: Array<[string, string]> = record ? [
    ['State', record.closed ? `closed: ${record.closed}` : 'open'],
    ['Transport', record.transport],
    ['Peer', record.peer],
    ['Channel', record.channel],
    ['Kind', record.kind.toUpperCase()],
    ['Local session id', String(record.localSessionId)],
    ['Peer session id', String(record.peerSessionId)],
    ['Peer session parameters', parametersText(record.peerParameters)],
    ['Established', time(record.establishedAt)],
    ['Last activity', time(record.lastActivity)],
    ...(record.vendorName === undefined ? [] : [['VendorName', record.vendorName] as [string, string]]),
  ] : [['State', 'no session yet']];
  list.replaceChildren(...rows.flatMap(([term, detail]) => {
    const dt = document.createElement('dt'), dd = document.createElement('dd');
    dt.textContent = term;
    dd.textContent = detail;
    return [dt, dd];
  }));
}
