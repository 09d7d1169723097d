// A real redis-server for tests: started on 127.0.0.1 on a free port, without persistence (`--save "" --appendonly
// no`), in its own temporary directory, and stopped by the test (or killed by its watchdog when the test process ends
// any other way, SIGKILL included; only the temporary directory stays behind then). Also
// the ways to make it unreachable without losing its data: pause/resume (SIGSTOP/SIGCONT, a frozen server: the
// connection stays up, replies stop) and a TCP proxy that can cut every connection and refuse new ones (a dead
// link: connection refused). restart() stops the server and starts a new one on the same port; with
// `keepData` the server writes a snapshot as it shuts down (SHUTDOWN SAVE) and the new one loads it. The ways to
// lose data as production does: restartEmpty() (no persistence), snapshot() + restoreSnapshot() (an older RDB
// restored: a backup, or a restart with only RDB persistence between two saves).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOST = '127.0.0.1';

/** The path of redis-server, or undefined if it is not installed (Debian: apt-get install redis-server). */
export function findRedisServer(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

/** A port nothing listens on right now (the OS picks it; another process could still take it before we do). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, HOST, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Sends one command to a server at `port` on a fresh connection and resolves the first line of the reply (RESP:
 * "+PONG", "-ERR ...", ":1", "$5"); resolves "" if the server closes without a reply (SHUTDOWN).
 */
export function redisCommand(port: number, args: string[], timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port });
    let received = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no reply to ${args[0]} within ${timeoutMs} ms`)));
    socket.on('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`);
    });
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve(received.slice(0, end));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
}

/** Sends one command and resolves a bulk-string reply's content (INFO). */
function redisBulk(port: number, args: string[], timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port });
    let received = Buffer.alloc(0);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no reply to ${args[0]} within ${timeoutMs} ms`)));
    socket.on('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n');
      if (end < 0) return;
      const head = received.subarray(0, end).toString('latin1');
      if (!head.startsWith('$')) {
        socket.destroy();
        reject(new Error(`not a bulk reply to ${args[0]}: ${head}`));
        return;
      }
      const length = Number(head.slice(1));
      if (received.length >= end + 2 + length) {
        socket.destroy();
        resolve(received.subarray(end + 2, end + 2 + length).toString('utf8'));
      }
    });
    socket.on('error', reject);
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  readonly pid: number;
  /** Freezes the process (SIGSTOP): connections stay open, nothing is answered, nothing is lost. */
  pause(): void;
  /** Lets a paused process run again (SIGCONT). */
  resume(): void;
  /**
   * Stops the process but keeps the port and directory for `startAgain`. With `keepData` the server writes a
   * snapshot as it shuts down (SHUTDOWN SAVE), which the next process loads; without, the data is gone.
   */
  halt(options?: { keepData?: boolean }): Promise<void>;
  /** Starts a new process on the same port after `halt`. */
  startAgain(): Promise<void>;
  /** halt then startAgain. */
  restart(options?: { keepData?: boolean }): Promise<void>;
  /** Stops the server and starts a new, empty one on the same port (no snapshot is loaded). */
  restartEmpty(): Promise<void>;
  /** Writes an RDB snapshot now (SAVE) and keeps a copy; resolves the copy's path for restoreSnapshot. */
  snapshot(): Promise<string>;
  /** Stops the server (saving nothing) and starts it again from `path`, a copy snapshot() made earlier. */
  restoreSnapshot(path: string): Promise<void>;
  /** The server's run_id (INFO server): a new one after every restart. */
  runId(): Promise<string>;
  /** One INFO section's text. */
  info(section: string): Promise<string>;
  /**
   * Makes this server a replica of `primary`, waits until it holds everything the primary had, then detaches it
   * (REPLICAOF NO ONE: promoted, with a new replication id): from then on it lags behind the primary.
   */
  copyOf(primary: RedisServer): Promise<void>;
  /** Stops the server (SIGTERM, SIGKILL after 3 s) and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
  /** redis-server's output so far, for failure messages. */
  log(): string;
}

// redis-server runs under a small sh watchdog that kills it (SIGKILL) when its stdin closes, which happens when this
// process ends in any way, a SIGKILL included: no server outlives the test run. The watchdog reports the server's pid
// on fd 3 and exits when the server does.
const WATCHDOG = [
  'exec 4<&0',
  'redis-server "$@" 3>&- 4<&- </dev/null &',
  'pid=$!',
  'echo "$pid" >&3',
  '(read -r _ <&4; kill -KILL "$pid" 2>/dev/null) 3>&- &',
  'wait "$pid"',
].join('\n');

export async function startRedisServer(): Promise<RedisServer> {
  if (!findRedisServer()) throw new Error('redis-server is not installed (Debian: apt-get install redis-server)');
  const directory = await mkdtemp(join(tmpdir(), 'matter-sessions-redis-'));
  let output = '';
  let watchdog: ChildProcess;
  let pid = 0;
  let exited: Promise<void>;
  let port = 0;
  let paused = false;
  let stopped = false;
  let snapshots = 0;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  };

  const launch = async (): Promise<boolean> => {
    watchdog = spawn('sh', ['-c', WATCHDOG, 'sh',
      '--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', directory,
      '--dbfilename', 'dump.rdb', '--daemonize', 'no', '--logfile', '', '--loglevel', 'notice',
    ], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    const append = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-8000));
    watchdog.stdout!.on('data', append);
    watchdog.stderr!.on('data', append);
    let running = true;
    exited = new Promise<void>((resolve) => watchdog.once('exit', () => { running = false; resolve(); }));
    pid = await new Promise<number>((resolve, reject) => {
      let line = '';
      const pids = watchdog.stdio[3] as NodeJS.ReadableStream;
      pids.setEncoding('utf8');
      pids.on('data', (chunk: string) => {
        line += chunk;
        if (line.includes('\n')) resolve(Number(line.trim()));
      });
      watchdog.once('exit', () => reject(new Error(`the redis-server watchdog exited at once:\n${output}`)));
    });
    for (const started = Date.now(); Date.now() - started < 5000; await delay(20)) {
      if (!running) return false;
      if ((await redisCommand(port, ['PING'], 500).catch(() => '')) === '+PONG') return true;
    }
    signal('SIGKILL');
    throw new Error(`redis-server on port ${port} did not answer PING within 5 s:\n${output}`);
  };

  const halt = async (how: 'SIGTERM' | 'SHUTDOWN SAVE'): Promise<void> => {
    if (paused) signal('SIGCONT');
    paused = false;
    if (how === 'SIGTERM') {
      signal('SIGTERM');
    } else {
      const reply = await redisCommand(port, ['SHUTDOWN', 'SAVE']);
      if (reply.startsWith('-')) throw new Error(`SHUTDOWN SAVE failed: ${reply}`);
    }
    const killer = setTimeout(() => signal('SIGKILL'), 3000);
    await exited;
    clearTimeout(killer);
    watchdog.stdin!.end(); // lets the watchdog's watcher go
  };

  // The port is free when chosen, but another process may take it first: then redis-server exits, and we try again.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    if (await launch()) break;
    watchdog!.stdin!.end();
    if (attempt === 5) throw new Error(`redis-server did not start in 5 attempts:\n${output}`);
  }

  const server: RedisServer = {
    host: HOST,
    get port() { return port; },
    get url() { return `redis://${HOST}:${port}`; },
    get pid() { return pid; },
    pause() {
      signal('SIGSTOP');
      paused = true;
    },
    resume() {
      signal('SIGCONT');
      paused = false;
    },
    async halt({ keepData = false } = {}) {
      await halt(keepData ? 'SHUTDOWN SAVE' : 'SIGTERM');
    },
    async startAgain() {
      if (!(await launch())) throw new Error(`redis-server did not start again on port ${port}:\n${output}`);
    },
    async restart(options) {
      await server.halt(options);
      await server.startAgain();
    },
    async restartEmpty() {
      await halt('SIGTERM');
      await rm(join(directory, 'dump.rdb'), { force: true });
      await server.startAgain();
    },
    async snapshot() {
      const reply = await redisCommand(port, ['SAVE'], 10_000);
      if (reply !== '+OK') throw new Error(`SAVE failed: ${reply}`);
      const copy = join(directory, `snapshot-${++snapshots}.rdb`);
      await copyFile(join(directory, 'dump.rdb'), copy);
      return copy;
    },
    async restoreSnapshot(path) {
      await halt('SIGTERM'); // --save "": nothing is written at shutdown
      await copyFile(path, join(directory, 'dump.rdb'));
      await server.startAgain();
    },
    info: (section) => redisBulk(port, ['INFO', section]),
    async copyOf(primary) {
      const reply = await redisCommand(port, ['REPLICAOF', primary.host, String(primary.port)]);
      if (reply !== '+OK') throw new Error(`REPLICAOF failed: ${reply}`);
      const offset = async (server: RedisServer, field: string) => Number(new RegExp(`${field}:(\\d+)`).exec(await server.info('replication'))?.[1] ?? -1);
      for (const started = Date.now(); ; await delay(25)) {
        const info = await server.info('replication');
        const target = await offset(primary, 'master_repl_offset');
        if (info.includes('master_link_status:up') && (await offset(server, 'master_repl_offset')) >= target) break;
        if (Date.now() - started > 10_000) throw new Error(`the replica did not catch up within 10 s:\n${info}`);
      }
      const detached = await redisCommand(port, ['REPLICAOF', 'NO', 'ONE']);
      if (detached !== '+OK') throw new Error(`REPLICAOF NO ONE failed: ${detached}`);
    },
    async runId() {
      const info = await redisBulk(port, ['INFO', 'server']);
      const id = /run_id:([0-9a-f]+)/.exec(info)?.[1];
      if (!id) throw new Error(`no run_id in INFO: ${info.slice(0, 200)}`);
      return id;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt('SIGTERM');
      await rm(directory, { recursive: true, force: true });
    },
    log: () => output,
  };
  return server;
}

export interface TcpProxy {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  /** Destroys every proxied connection and stops listening: new connections are refused. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  /** Sends new connections to `port` from now on and drops the current ones: a failover behind one address. */
  retarget(port: number): void;
  close(): Promise<void>;
}

/** A TCP proxy on a free port of 127.0.0.1 to `targetPort`, to cut the link to a server and restore it. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let target = targetPort;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  let server: Server;
  const listen = async (port: number): Promise<number> => {
    server = createServer((client) => {
      const upstream = createConnection({ host: HOST, port: target });
      track(client);
      track(upstream);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, HOST, resolve));
    return (server.address() as { port: number }).port;
  };
  const stopListening = async () => {
    const closed = new Promise((resolve) => server.close(resolve));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  const port = await listen(0);
  let listening = true;
  return {
    port,
    url: `redis://${HOST}:${port}`,
    async cut() {
      if (!listening) return;
      listening = false;
      await stopListening();
    },
    async restore() {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    retarget(port) {
      target = port;
      for (const socket of sockets) socket.destroy();
    },
    async close() {
      if (!listening) return;
      listening = false;
      await stopListening();
    },
  };
}
