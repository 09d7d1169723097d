// What the CLI says when it cannot talk to an endpoint at all: the URL it tried and why, in words, rather than
// the runtime's "TypeError: fetch failed" or a channel name such as "http:http://...".

/** The endpoint could not be reached, refused us, or is not a Matter endpoint. */
export class EndpointError extends Error {
  override name = 'EndpointError';
  constructor(readonly url: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The deepest cause's code and message: "ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:1)". */
export function describeCause(error: unknown): string {
  let cause = error as { cause?: unknown; code?: unknown; message?: unknown } | undefined;
  while (cause && typeof cause === 'object' && cause.cause !== undefined && cause.cause !== cause) {
    cause = cause.cause as typeof cause;
  }
  if (cause && typeof cause === 'object' && Array.isArray((cause as { errors?: unknown }).errors)) {
    // AggregateError (Happy Eyeballs tried several addresses): the first one says enough.
    cause = ((cause as { errors: unknown[] }).errors[0] ?? cause) as typeof cause;
  }
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const message = typeof cause?.message === 'string' && cause.message !== '' ? cause.message : String(cause);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/** A problem body the edge sends ({ error, detail }), or the start of whatever else came. */
export function describeBody(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; detail?: unknown };
    if (typeof body.detail === 'string') return typeof body.error === 'string' ? `${body.error}: ${body.detail}` : body.detail;
  } catch {
    // not JSON
  }
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}...` : flat;
}
