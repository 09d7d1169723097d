// Starts an edge entry (deno-entry.js, bun-entry.js) in its runtime and waits for the JSON line with its URL. The
// entry exits when its stdin closes; stop() closes it and kills the process if it lingers.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface RuntimeServer {
  url: string;
  version: string;
  /** The process id (its memory can be read from /proc/<pid>/status). */
  pid: number;
  /** Everything the entry announced on its JSON line. */
  announced: Record<string, unknown>;
  /** Closes stdin and waits for the exit; `killed` when the process had to be killed after the grace period. */
  stop(): Promise<StopOutcome>;
}

export interface StopOutcome {
  code: number | null;
  killed: boolean;
}

const tail = (text: string): string => (text.length > 4000 ? `...${text.slice(-4000)}` : text);

async function stopProcess(child: ChildProcess, graceMs: number): Promise<StopOutcome> {
  let killed = false;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.stdin?.end();
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
  }
  return { code: child.exitCode, killed };
}

export function startRuntimeServer(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }):
  Promise<RuntimeServer> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const stop = () => stopProcess(child, 3000);
  const failure = (problem: string) =>
    new Error(`${command} ${args.join(' ')}: ${problem}\n--- stdout ---\n${tail(stdout)}\n--- stderr ---\n${tail(stderr)}`);

  return new Promise<RuntimeServer>((resolve, reject) => {
    let settled = false;
    const settle = () => {
      const first = !settled;
      settled = true;
      clearTimeout(timer);
      return first;
    };
    const fail = (problem: string) => {
      if (settle()) void stop().then(() => reject(failure(problem)));
    };
    const timer = setTimeout(() => fail(`no URL within ${options.timeoutMs} ms`), options.timeoutMs);
    child.on('error', (error) => fail(`could not start: ${error.message}`));
    child.on('exit', (code, signal) => fail(`exited with ${signal ?? `code ${code}`} before announcing its URL`));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{"url":'));
      if (line && settle()) {
        const announced = JSON.parse(line) as { url: string; version: string };
        resolve({ url: announced.url, version: announced.version, pid: child.pid!, announced, stop });
      }
    });
  });
}
