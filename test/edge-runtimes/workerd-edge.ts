// workerd through miniflare, listening on a local port: workerd-entry.js bundled as wrangler would (conditions
// workerd/worker/browser, the package's .wasm left as a CompiledWasm module), MatterRealmObject bound as REALMS and
// the probe as PROBE, both SQLite-backed, their storage persisted in a directory so a restart keeps it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForWorkerd, compiledWasmModules, type WorkerWasmModule } from '../runtimes/workerd-bundle.js';
import { Miniflare } from 'miniflare';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const entry = fileURLToPath(new URL('./workerd-entry.js', import.meta.url));
const wasmFile = join(projectRoot, 'build', 'matter-sessions.wasm');

export interface WorkerdEdgeOptions {
  realm: string;
  passcode: number;
  vendorName: string;
  adminToken: string;
  /** "light": the realm is a Matter node (the default light app). */
  app?: 'light';
}

export interface WorkerdEdge {
  url: string;
  /** The files that imported the package's .wasm, relative to the project: dist/workerd.js when all went right. */
  wasmImporters: string[];
  /** Stops workerd and starts it again on the same storage; `url` changes. */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

async function bundle(): Promise<{ code: string; wasmImporters: string[]; wasmModules: WorkerWasmModule[] }> {
  const { code, wasmImporters, wasmModules } = await bundleForWorkerd(entry, wasmFile);
  return { code, wasmImporters: wasmImporters.map((file) => relative(projectRoot, file)), wasmModules };
}

export async function startWorkerdEdge(options: WorkerdEdgeOptions): Promise<WorkerdEdge> {
  const { code, wasmImporters, wasmModules } = await bundle();
  const wasm = await compiledWasmModules(wasmModules, '', readFile);
  const persistDir = await mkdtemp(join(tmpdir(), 'edge-workerd-'));
  const modulesRoot = join(persistDir, 'modules');
  const start = async () => {
    const mf = new Miniflare({
      modulesRoot,
      modules: [
        { type: 'ESModule', path: join(modulesRoot, 'worker.js'), contents: code },
        ...wasm.map((m) => ({ ...m, path: join(modulesRoot, m.path) })),
      ],
      compatibilityDate: '2026-04-01',
      durableObjects: {
        REALMS: { className: 'MatterRealmObject', useSQLite: true },
        PROBE: { className: 'StoreProbe', useSQLite: true },
      },
      durableObjectsPersist: join(persistDir, 'durable-objects'),
      bindings: {
        MATTER_REALMS: JSON.stringify({ [options.realm]: { passcode: options.passcode, basicInformation: { vendorName: options.vendorName }, ...(options.app ? { app: options.app } : {}) } }),
        ADMIN_TOKEN: options.adminToken,
      },
      host: '127.0.0.1',
      port: 0,
      cf: false,
    });
    try {
      return { mf, url: (await mf.ready).origin };
    } catch (error) {
      await mf.dispose();
      throw error;
    }
  };

  let current: Awaited<ReturnType<typeof start>> | undefined;
  try {
    current = await start();
  } catch (error) {
    await rm(persistDir, { recursive: true, force: true });
    throw error;
  }
  const edge: WorkerdEdge = {
    url: current.url,
    wasmImporters,
    restart: async () => {
      const stopping = current;
      current = undefined;
      await stopping?.mf.dispose();
      current = await start();
      edge.url = current.url;
    },
    dispose: async () => {
      await current?.mf.dispose();
      current = undefined;
      await rm(persistDir, { recursive: true, force: true });
    },
  };
  return edge;
}
