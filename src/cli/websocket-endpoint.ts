// The CLI's WebSocket to an edge realm (GET /realms/:realm/ws): when the upgrade is refused, the edge's answer
// (404 "no realm", 401...) is read and reported with the URL; when the connection fails, its cause is.
import { WebSocket } from 'ws';
import { WebSocketClientChannel, type MessageChannel, type WebSocketLike } from '../node.js';
import { describeBody, describeCause, EndpointError } from './endpoint-errors.js';

export async function connectMatterWebSocket(url: string, receive: (message: Uint8Array, channel: MessageChannel) => void):
  Promise<WebSocketClientChannel> {
  let refusal: Promise<EndpointError> | undefined;
  let failure: unknown;
  try {
    return await WebSocketClientChannel.connect(url, receive, (target) => {
      const socket = new WebSocket(target);
      socket.on('unexpected-response', (_request, response) => {
        refusal = new Promise((resolve) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => { if (text.length < 4096) text += chunk; });
          response.on('end', () => {
            resolve(refused(url, response.statusCode ?? 0, text));
            socket.terminate();
          });
        });
      });
      socket.on('error', (error) => { failure ??= error; });
      return socket as unknown as WebSocketLike;
    });
  } catch (error) {
    if (refusal) throw await refusal;
    throw new EndpointError(url, `could not connect to ${url}: ${failure ? describeCause(failure) : (error as Error).message}`, { cause: failure ?? error });
  }
}

/**
 * Why the upgrade was refused. Some servers answer a refused upgrade with the status alone (Node's adapter does), so
 * a 404 on a realm's WebSocket path is read as what it means there: no such realm.
 */
function refused(url: string, status: number, body: string): EndpointError {
  const what = describeBody(body);
  const realm = /\/realms\/([^/]+)\/ws\/?$/.exec(new URL(url).pathname)?.[1];
  if (status === 404 && realm !== undefined) {
    return new EndpointError(url, `${url}: no realm "${decodeURIComponent(realm)}" there (HTTP 404${what ? `: ${what}` : ''})`);
  }
  if (status === 404) return new EndpointError(url, `${url}: not found (HTTP 404); a realm's WebSocket is ws://HOST:PORT/realms/REALM/ws`);
  return new EndpointError(url, `${url} refused the WebSocket: HTTP ${status}${what ? `: ${what}` : ''}`);
}
