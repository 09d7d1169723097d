// The anchor of `npm run bench:edge`: a bare Hono handler that reads the request body and sends it back, nothing else.
import { Hono } from 'hono';

export function echoApp() {
  const app = new Hono();
  app.post('/echo', async (c) => c.body(await c.req.arrayBuffer(), 200, { 'content-type': 'application/octet-stream' }));
  return app;
}
