// The edge's metrics in Prometheus' text exposition format. Written here rather than taken from prom-client, which
// is Node-only: this must also run in Deno, Bun and workerd.

const DURATION_BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 14400, 86400];

type Labels = Record<string, string>;
// Counted on every message: a caller that passes the same labels object each time has its text computed once.
const labelTexts = new WeakMap<Labels, string>();
const labelText = (labels: Labels): string => {
  let text = labelTexts.get(labels);
  if (text === undefined) {
    const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
    text = parts.length ? `{${parts.join(',')}}` : '';
    labelTexts.set(labels, text);
  }
  return text;
};

class Counter {
  readonly values = new Map<string, { labels: Labels; value: number }>();
  inc(labels: Labels, by = 1): void {
    const key = labelText(labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }
}

class Histogram {
  readonly series = new Map<string, { labels: Labels; buckets: number[]; sum: number; count: number }>();
  observe(labels: Labels, value: number): void {
    const key = labelText(labels);
    const entry = this.series.get(key) ?? { labels, buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 };
    DURATION_BUCKETS.forEach((bound, i) => { if (value <= bound) entry.buckets[i]!++; });
    entry.sum += value;
    entry.count++;
    this.series.set(key, entry);
  }
}

/** A value set from the current state (per label set), sampled when the text is rendered. */
class Gauge {
  readonly values = new Map<string, { labels: Labels; value: number }>();
  set(labels: Labels, value: number): void {
    this.values.set(labelText(labels), { labels, value });
  }
}

export class EdgeMetrics {
  readonly opened = new Counter();
  readonly closed = new Counter();
  readonly messagesIn = new Counter();
  readonly messagesOut = new Counter();
  readonly authenticationFailures = new Counter();
  readonly replaysDropped = new Counter();
  readonly duration = new Histogram();
  // The commissioning window and the PASE handshakes of each realm (src/protocol/pase), sampled at render.
  readonly windowOpen = new Gauge();
  readonly windowFailedAttempts = new Gauge();
  readonly windowReopensIn = new Gauge();
  readonly windowClosures = new Counter();
  readonly failedConfirmations = new Counter();
  readonly handshakesPending = new Gauge();
  readonly handshakeFailures = new Counter();
  // CASE at each realm that is a Matter node (src/protocol/case/case-responder.ts): sessions made, by how, and
  // handshakes that made none, by the CaseError's failure.
  readonly caseHandshakes = new Counter();
  readonly caseHandshakeFailures = new Counter();
  readonly #samplers: Array<() => void> = [];

  /** `sample` refreshes gauges just before each render. */
  onRender(sample: () => void): void {
    this.#samplers.push(sample);
  }

  /** Text exposition; `openSessions` gives the current gauge per realm. */
  render(openSessions: Map<string, number>): string {
    for (const sample of this.#samplers) sample();
    const lines: string[] = [];
    const counter = (name: string, help: string, c: Counter) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const { labels, value } of c.values.values()) lines.push(`${name}${labelText(labels)} ${value}`);
    };
    lines.push('# HELP matter_sessions_open Secure sessions open now.', '# TYPE matter_sessions_open gauge');
    for (const [realm, count] of openSessions) lines.push(`matter_sessions_open${labelText({ realm })} ${count}`);
    counter('matter_sessions_opened_total', 'Secure sessions opened.', this.opened);
    counter('matter_sessions_closed_total', 'Secure sessions closed, by reason.', this.closed);
    lines.push('# HELP matter_session_duration_seconds How long secure sessions lasted.', '# TYPE matter_session_duration_seconds histogram');
    for (const { labels, buckets, sum, count } of this.duration.series.values()) {
      DURATION_BUCKETS.forEach((bound, i) => lines.push(`matter_session_duration_seconds_bucket${labelText({ ...labels, le: String(bound) })} ${buckets[i]}`));
      lines.push(`matter_session_duration_seconds_bucket${labelText({ ...labels, le: '+Inf' })} ${count}`);
      lines.push(`matter_session_duration_seconds_sum${labelText(labels)} ${sum}`, `matter_session_duration_seconds_count${labelText(labels)} ${count}`);
    }
    counter('matter_messages_in_total', 'Matter messages received and decoded.', this.messagesIn);
    counter('matter_messages_out_total', 'Matter messages sent.', this.messagesOut);
    counter('matter_authentication_failures_total', 'Messages that failed AES-CCM authentication.', this.authenticationFailures);
    counter('matter_replays_dropped_total', 'Authentic messages dropped as replays or duplicates.', this.replaysDropped);
    const gauge = (name: string, help: string, g: Gauge) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
      for (const { labels, value } of g.values.values()) lines.push(`${name}${labelText(labels)} ${value}`);
    };
    gauge('matter_commissioning_window_open', 'Whether the realm accepts PASE handshakes (1) or its window is closed after failures (0).', this.windowOpen);
    gauge('matter_commissioning_window_failed_attempts', 'Failed passcode confirmations since the window last opened (it closes at 20).', this.windowFailedAttempts);
    gauge('matter_commissioning_window_reopens_in_seconds', 'Seconds until a closed window reopens by itself (0 when open).', this.windowReopensIn);
    counter('matter_commissioning_window_closures_total', 'Times the window closed after failed passcode confirmations.', this.windowClosures);
    counter('matter_pase_failed_confirmations_total', 'PASE handshakes that got Pake2 and did not confirm the passcode.', this.failedConfirmations);
    gauge('matter_pase_handshakes_pending', 'PASE handshakes held now (bounded by the realm\'s slots).', this.handshakesPending);
    counter('matter_pase_handshake_failures_total', 'PASE handshakes that produced no session, by failure (evicted: its slot went to a newcomer; refused-busy: window closed or no slot).', this.handshakeFailures);
    counter('matter_case_handshakes_total', 'CASE sessions established, by outcome (full: Sigma1-2-3; resumed: Sigma2_Resume from a resumption record).', this.caseHandshakes);
    counter('matter_case_handshake_failures_total', 'CASE handshakes that produced no session, by failure (no-shared-trust-roots, bad-signature, bad-mic, untrusted-chain, busy, timeout, protocol...).', this.caseHandshakeFailures);
    return lines.join('\n') + '\n';
  }
}
