// The WebSocket upgrade for the edge app in workerd. hono/cloudflare-workers has one (deprecated, gone in hono 5), but
// it never calls onOpen, where the edge app binds the socket's channel, and it leaves binary frames as Blobs.
// Limits: a Worker cannot set a frame limit. workerd reads each message whole, up to 32 MiB (larger ones: close 1009,
// "Message is too large"), before the app sees it and closes the socket (1003) when it is over 1,280 bytes.
import { defineWebSocketHelper, WSContext, type UpgradeWebSocket } from 'hono/ws';
import type { WorkerdGlobals } from './workerd-types.js';

export const upgradeWebSocket: UpgradeWebSocket = defineWebSocketHelper((c, events) => {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') return;
  const { WebSocketPair } = globalThis as unknown as WorkerdGlobals;
  const { 0: client, 1: server } = new WebSocketPair();
  // The standard's default is 'blob' (workerd follows it from compatibility date 2026-03-17 on); the app reads
  // ArrayBuffers.
  server.binaryType = 'arraybuffer';
  const context = new WSContext({
    send: (data) => server.send(data),
    close: (code, reason) => server.close(code, reason),
    raw: server,
    get readyState() {
      return server.readyState as 0 | 1 | 2 | 3;
    },
    protocol: server.protocol ?? null,
  });
  server.addEventListener('message', (event) => events.onMessage?.(event as MessageEvent, context));
  server.addEventListener('close', (event) => events.onClose?.(event as CloseEvent, context));
  server.addEventListener('error', (event) => events.onError?.(event, context));
  // Events are dispatched from the next turn on, so onOpen runs before the first message.
  server.accept();
  events.onOpen?.(new Event('open'), context);
  return new Response(null, { status: 101, webSocket: client } as ResponseInit);
});
