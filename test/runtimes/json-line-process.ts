// Runs a runtime's CLI on a suite entry and takes the report from the last line it prints.
import { spawn } from 'node:child_process';
import type { RuntimeReport } from './suite-artifacts.js';

export interface JsonLineOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
}

const tail = (text: string): string => (text.length > 4000 ? `...${text.slice(-4000)}` : text);

export function runForJsonLine(command: string, args: string[], options: JsonLineOptions): Promise<RuntimeReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', why = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });

    const kill = (reason: string) => {
      why ||= reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(`timed out after ${options.timeoutMs} ms`), options.timeoutMs);
    const onAbort = () => kill('aborted by the test runner');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };

    const describe = (problem: string) =>
      new Error(`${command} ${args.join(' ')}: ${problem}\n--- stdout ---\n${tail(stdout)}\n--- stderr ---\n${tail(stderr)}`);
    child.on('error', (error) => {
      settle();
      reject(describe(`could not start: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      settle();
      if (why || code !== 0) {
        reject(describe(why || `exited with ${signal ?? `code ${code}`}`));
        return;
      }
      const last = stdout.trimEnd().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as RuntimeReport);
      } catch {
        reject(describe('the last line of stdout is not a JSON report'));
      }
    });
  });
}
