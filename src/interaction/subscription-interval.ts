// How a publisher picks a subscription's MaxInterval and when it reports (spec "Subscribe Interaction": the
// publisher chooses MaxInterval from MinIntervalFloor up to max(60 min, MaxIntervalCeiling)). The choice mirrors
// matter.js's ServerSubscription: the client's ceiling capped by the server's own maximum, never below the server's
// minimum or the client's floor, plus a random spread so devices started together do not all report together.

export interface SubscriptionIntervalConfig {
  /** Never report more often than this (s); default 2, as matter.js. */
  minIntervalSeconds?: number;
  /** Cap on the client's ceiling (s); default 180, as matter.js. */
  maxIntervalSeconds?: number;
  /** Random seconds added to MaxInterval; default 10, as matter.js. */
  randomizationWindowSeconds?: number;
}

/** The spec's limit for a publisher's MaxInterval when the client's ceiling is lower: 60 minutes. */
export const MAX_INTERVAL_PUBLISHER_LIMIT_S = 60 * 60;

/** MaxInterval in whole seconds for a request's floor and ceiling. */
export function selectMaxInterval(floor: number, ceiling: number, config: SubscriptionIntervalConfig = {},
  random: () => number = Math.random): number {
  const serverMin = config.minIntervalSeconds ?? 2;
  const serverMax = config.maxIntervalSeconds ?? 180;
  const window = config.randomizationWindowSeconds ?? 10;
  const wanted = Math.max(serverMin, Math.max(floor, Math.min(ceiling, serverMax))) + window * random();
  return Math.max(floor, Math.min(Math.floor(wanted), MAX_INTERVAL_PUBLISHER_LIMIT_S));
}

/**
 * Milliseconds between keep-alive reports: half of MaxInterval, or 80 % of it when half would be under a minute
 * (so a lost report still has its retransmissions before the client's deadline), never below the floor or the
 * server's minimum.
 */
export function keepAliveIntervalMs(maxIntervalSeconds: number, floorSeconds: number, config: SubscriptionIntervalConfig = {}): number {
  const serverMin = config.minIntervalSeconds ?? 2;
  let seconds = maxIntervalSeconds / 2;
  if (seconds < 60) seconds = Math.max(floorSeconds, maxIntervalSeconds * 0.8);
  if (seconds < serverMin) seconds = Math.min(serverMin, maxIntervalSeconds);
  return Math.floor(seconds * 1000);
}
