// What the matter.js controller peers share: an error as one line with its causes, and matter.js's process-wide
// configuration set before @matter/main loads (no environment, argv or ~/.matter config; its storage under the test's
// directory; no signal traps: the test ends the process).

export function errorText(error: unknown): string {
  let message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  let cause = error instanceof Error ? error.cause : undefined;
  for (let depth = 0; cause !== undefined && depth < 5; depth++) {
    message += cause instanceof Error ? ` (cause: ${cause.name}: ${cause.message})` : ` (cause: ${String(cause)})`;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return message;
}

/** Call before the first import of @matter/main. */
export async function isolateMatterJs(storagePath: string): Promise<void> {
  const { config } = await import('@matter/nodejs/config');
  config.loadProcessEnv = false;
  config.loadProcessArgv = false;
  config.loadConfigFile = false;
  config.trapProcessSignals = false;
  config.defaultStoragePath = storagePath;
}
