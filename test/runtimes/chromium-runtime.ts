// Headless Debian Chromium driven by playwright-core, loading browser-suite.html from a local static server.
import { chromium, type Browser } from 'playwright-core';
import { serveDirectory, type ServedRequest } from './static-server.js';
import { projectRoot, type RuntimeReport } from './suite-artifacts.js';
import { withTimeout } from './timeout.js';

export const chromiumPath = '/usr/bin/chromium';

// playwright's launch() already gives every browser a fresh temporary profile (and refuses --user-data-dir).
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface ChromiumRun { report: RuntimeReport; served: ServedRequest[] }

export async function runInChromium(options: { timeoutMs: number }): Promise<ChromiumRun> {
  const server = await serveDirectory(projectRoot);
  let browser: Browser | undefined;
  let finished = false;
  const pageProblems: string[] = [];
  try {
    return await withTimeout(options.timeoutMs, 'chromium', async () => {
      browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: options.timeoutMs });
      // A launch that outlived the timeout would otherwise leave its browser running.
      if (finished) await browser.close();
      const page = await browser.newPage();
      page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') pageProblems.push(`console: ${message.text()}`);
      });
      await page.goto(`${server.origin}/test/runtimes/browser-suite.html`);
      const handle = await page.waitForFunction(() => (window as { __report?: unknown }).__report, undefined,
        { timeout: options.timeoutMs, polling: 100 });
      const result = await handle.jsonValue() as RuntimeReport & { error?: string };
      if (result.error) throw new Error(`the page failed: ${result.error}`);
      return { report: result, served: [...server.served] };
    });
  } catch (error) {
    const detail = [...pageProblems, ...server.served.filter((r) => r.status !== 200).map((r) => `HTTP ${r.status} ${r.path}`)];
    if (detail.length) (error as Error).message += `\n${detail.join('\n')}`;
    throw error;
  } finally {
    finished = true;
    await browser?.close().catch(() => undefined);
    await server.close();
  }
}
