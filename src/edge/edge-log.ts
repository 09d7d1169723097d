// The edge's log: one line per event (a session opened or closed, a handshake that failed, the commissioning
// window closing or reopening), `<ISO time> <LEVEL> <event> key=value ...`, filtered by a level. Plain text on the
// console, so it works the same on Node, Deno, Bun and workerd and any log collector can parse it.

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = typeof LOG_LEVELS[number];

export type LogFields = Record<string, string | number | boolean | bigint | undefined>;

export interface EdgeLog {
  readonly level: LogLevel;
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export interface EdgeLogOptions {
  /** Lines below this level are dropped. Default info. */
  level?: LogLevel;
  /** Where lines go. Default console.log (console.error for warn and error). */
  write?: (line: string, level: Exclude<LogLevel, 'silent'>) => void;
  /** The clock, for the timestamp. Default Date.now. */
  now?: () => number;
}

/** Reads a level such as LOG_LEVEL's; throws a RangeError naming `name` and the levels that exist. */
export function parseLogLevel(text: string | undefined, name = 'LOG_LEVEL'): LogLevel {
  if (text === undefined || text === '') return 'info';
  const level = text.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new RangeError(`${name}: expected one of ${LOG_LEVELS.join(', ')}, got "${text}"`);
  }
  return level as LogLevel;
}

/** A value as one token: quoted when it has spaces, quotes or '=' (so a line splits unambiguously). */
function token(value: string | number | boolean | bigint): string {
  const text = String(value).replace(/[\r\n]+/g, ' ');
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}

export function createEdgeLog(options: EdgeLogOptions = {}): EdgeLog {
  const level = options.level ?? 'info';
  const threshold = LOG_LEVELS.indexOf(level);
  const now = options.now ?? Date.now;
  const write = options.write ?? ((line, at) => (at === 'warn' || at === 'error' ? console.error(line) : console.log(line)));
  const emit = (at: Exclude<LogLevel, 'silent'>) => (event: string, fields: LogFields = {}) => {
    if (LOG_LEVELS.indexOf(at) < threshold) return;
    const parts = [new Date(now()).toISOString(), at.toUpperCase(), event];
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) parts.push(`${key}=${token(value)}`);
    write(parts.join(' '), at);
  };
  return { level, debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** A log that drops everything (the default for an app that was given none). */
export const silentLog: EdgeLog = createEdgeLog({ level: 'silent' });
