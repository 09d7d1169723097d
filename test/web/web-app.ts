// The web app as the e2e tests use it: built once by `node web/build.mjs` into web/dist, opened in Chromium with
// page errors collected, and screenshots kept under test-output/.
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumPath } from '../runtimes/chromium-runtime.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
export const webDist = join(projectRoot, 'web', 'dist');

export function buildWebApp(): void {
  const result = spawnSync(process.execPath, [join(projectRoot, 'web', 'build.mjs')], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`node web/build.mjs failed:\n${result.stdout}${result.stderr}`);
}

// Web Bluetooth is behind the experimental flag on Linux; the rest keeps a headless run quiet and offline.
const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchChromium(options: { webBluetooth: boolean }): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: options.webBluetooth ? [...args, '--enable-experimental-web-platform-features'] : args,
    timeout: 20_000,
  });
}

export interface PageWatch {
  /** Every console message and uncaught error, in order, for a failing test to show. */
  readonly log: string[];
  /** Throws if the page had an uncaught error or logged a console error. */
  assertClean(): void;
}

export function watchPage(page: Page): PageWatch {
  const log: string[] = [];
  const problems: string[] = [];
  page.on('pageerror', (error) => {
    log.push(`uncaught: ${error.message}`);
    problems.push(`page error: ${error.message}`);
  });
  page.on('console', (message) => {
    log.push(`${message.type()}: ${message.text()}`);
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  return {
    log,
    assertClean: () => {
      if (problems.length) throw new Error(problems.join('\n'));
    },
  };
}

/** Adds what the page logged to a failure's message. */
export function withPageLog(error: unknown, watch: PageWatch | undefined): unknown {
  if (error instanceof Error && watch?.log.length) error.message += `\npage console:\n  ${watch.log.join('\n  ')}`;
  return error;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(projectRoot, 'test-output');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
  return path;
}
