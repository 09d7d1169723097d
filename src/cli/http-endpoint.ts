// The CLI's fetch for an edge's messages endpoint (POST /realms/:realm/messages): a connection failure, an error
// status or an answer that is not a Matter message becomes an EndpointError at once, naming the URL, instead of
// the reply being dropped and the handshake timing out 10 s later.
import { describeBody, describeCause, EndpointError } from './endpoint-errors.js';

export function matterEndpointFetch(url: string, inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    let response: Response;
    try {
      response = await inner(input, init);
    } catch (error) {
      throw new EndpointError(url, `could not reach ${url}: ${describeCause(error)}`, { cause: error });
    }
    if (response.status === 204) return response;
    if (response.status === 200) {
      const type = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
      if (type === 'application/octet-stream') return response;
      await response.body?.cancel().catch(() => {});
      throw new EndpointError(url, `${url} is not a Matter endpoint: it answered 200 with ${type ?? 'no content type'}, `
        + 'not application/octet-stream (expected an edge realm\'s messages URL, e.g. http://127.0.0.1:8787/realms/home/messages)');
    }
    const text = await response.text().catch(() => '');
    throw new EndpointError(url, `${url} answered HTTP ${response.status}${text ? `: ${describeBody(text)}` : ''}`);
  };
}
