// Arguments every CLI command shares: a UDP HOST:PORT, an edge endpoint URL, a passcode, a timeout. One place, so
// `pair` and the controller commands accept and refuse the same text with the same words.
import { UsageError } from './usage-error.js';

export function parseHostPort(value: string): { host: string; port: number } {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:]+):(\d+)$/.exec(value);
  if (!match) throw new UsageError(`--udp: expected HOST:PORT or [IPv6]:PORT, got "${value}"`);
  const port = Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--udp: port must be 1 to 65535, got ${match[2]}`);
  return { host: match[1]!, port };
}

/** An edge endpoint: `--http` takes http(s) URLs, `--ws` ws(s) URLs. */
export function checkEndpointUrl(flag: '--http' | '--ws', value: string): URL {
  const schemes = flag === '--http' ? ['http:', 'https:'] : ['ws:', 'wss:'];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag}: expected a URL, got "${value}"`);
  }
  if (!schemes.includes(url.protocol)) throw new UsageError(`${flag}: expected a ${schemes.join(' or ')} URL, got "${value}"`);
  return url;
}

export function parsePasscode(value: string | undefined): number {
  if (value === undefined) throw new UsageError('--passcode is required');
  if (!/^\d{1,8}$/.test(value)) throw new UsageError(`--passcode: expected up to 8 digits, got "${value}"`);
  return Number(value);
}

export function parseTimeout(value: string | undefined): number {
  const timeoutMs = value === undefined ? 10_000 : Number(value);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout: expected a positive integer (ms), got "${value}"`);
  return timeoutMs;
}
