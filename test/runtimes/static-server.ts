// Serves the project directory read-only on 127.0.0.1 with the content types browsers insist on: module scripts
// must be JavaScript, and WebAssembly.instantiateStreaming needs application/wasm.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

export interface ServedRequest { path: string; status: number; contentType?: string }

export interface StaticServer {
  origin: string;
  /** Every request answered, in order. */
  served: ServedRequest[];
  close(): Promise<void>;
}

export async function serveDirectory(root: string): Promise<StaticServer> {
  const base = resolve(root);
  const served: ServedRequest[] = [];
  const server: Server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = resolve(base, `.${path}`);
    const contentType = contentTypes[extname(file)];
    const answer = (status: number) => {
      served.push({ path, status, contentType: status === 200 ? contentType : undefined });
      response.writeHead(status, status === 200
        ? { 'content-type': contentType!, 'cache-control': 'no-store' }
        : { 'content-type': 'text/plain' });
    };
    if (request.method !== 'GET' || !file.startsWith(base + sep) || !contentType
      || !(await stat(file).then((s) => s.isFile(), () => false))) {
      answer(404);
      response.end('not found');
      return;
    }
    answer(200);
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((ready, failed) => {
    server.once('error', failed);
    server.listen(0, '127.0.0.1', ready);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    served,
    close: () => new Promise((closed) => {
      server.closeAllConnections();
      server.close(() => closed());
    }),
  };
}
