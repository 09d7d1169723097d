// The help text of `matter-sessions subscribe` (its own file so controller-commands.ts and subscribe-command.ts,
// which imports from it, can both show it without an import cycle).
export const SUBSCRIBE_USAGE = `  matter-sessions subscribe --node ID --data DIR [--udp HOST:PORT | --ws URL] ENDPOINT/CLUSTER/ATTRIBUTE [--min S] [--max S] [--count N | --duration S]
    prints one JSON line per report, the priming report (the current value) first; ends with exit 0 after --count
    reports (the priming one included) or --duration seconds, or on SIGINT/SIGTERM (the subscription is cancelled
    and the session closed); exit 1 when the subscription is lost (no report within the max interval)
    --min/--max    the interval floor and ceiling in seconds (default 0 and 60); the node may choose a longer max
    an edge realm is subscribed to over --ws: an HTTP endpoint answers requests and cannot push reports`;
