// The anchor of `npm run bench:edge`: a bare Hono handler that reads the request body and sends it back, nothing else.
import { Hono } from 'hono';

export function echoApp() {
  const app = new Hono();
  app.post('/echo', async (c) => c.body(await c.req.arrayBuffer(), 200, { 'content-type': 'application/octet-stream' }));
  // On Node only: the body read from the IncomingMessage, as the edge reads it (node-server.ts), without the Web
  // Request @hono/node-server builds for arrayBuffer(): the anchor that leaves only the Matter work in the ratio.
  app.post('/echo-raw', async (c) => {
    const incoming = c.env?.incoming;
    if (!incoming) return c.body(await c.req.arrayBuffer(), 200, { 'content-type': 'application/octet-stream' });
    const body = await new Promise((resolve, reject) => {
      const chunks = [];
      incoming.on('data', (chunk) => chunks.push(chunk)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
    });
    return c.body(body, 200, { 'content-type': 'application/octet-stream' });
  });
  return app;
}
