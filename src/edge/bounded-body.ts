// Reading a request body under a limit (a Matter message is at most 1,280 bytes, spec "Message Size"): the bytes are
// counted as they arrive and reading stops at the first byte past the limit, whatever Content-Length or chunked
// framing announced, so a stranger cannot make the edge hold more than one limit's worth of a body.

/** The body, or `undefined` when it went past `limit` (the rest is left unread and the stream cancelled). */
export type BodyReader = (limit: number) => Promise<Uint8Array | undefined>;

/**
 * A request as a runtime adapter can hand it to the messages route when it has something quicker than the Web
 * Request (Node: the IncomingMessage's parsed headers and its data events).
 */
export interface RawRequest {
  /** A header's value by lower-case name. */
  header(name: string): string | undefined;
  read: BodyReader;
}

/** Reads a Web-standard body stream (Deno, Bun, workerd; Node through the Request it builds) up to `limit` bytes. */
export async function readStreamWithin(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array | undefined> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > limit) {
      // Cancelling tells the runtime to stop reading from the socket; nothing past this chunk is buffered by us.
      void reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return concat(chunks, length);
}

/** One buffer from the chunks (the usual case, one chunk, is returned as it is). */
export function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
