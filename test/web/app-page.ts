// The web app as a user sees it: controls found by their accessible names, driven by clicks and typing, and what
// the page says read from its status line, alert line and session details.
import type { Locator, Page } from 'playwright-core';

const WAIT_MS = 20_000;

export class AppPage {
  readonly bluetooth: Locator;
  readonly edge: Locator;
  readonly sessionPanel: Locator;

  constructor(readonly page: Page) {
    this.bluetooth = page.getByRole('region', { name: 'Pair over Bluetooth' });
    this.edge = page.getByRole('region', { name: 'Pair with an edge over WebSocket' });
    this.sessionPanel = page.getByRole('region', { name: 'Session' });
  }

  /** Waits until the status line (role status) says something matching `pattern`. */
  async status(pattern: RegExp): Promise<void> {
    await this.page.getByRole('status').filter({ hasText: pattern }).waitFor({ timeout: WAIT_MS });
  }

  /** Waits until the alert line (role alert) says something matching `pattern`; returns the whole message. */
  async alert(pattern: RegExp): Promise<string> {
    const alert = this.page.getByRole('alert').filter({ hasText: pattern });
    await alert.waitFor({ timeout: WAIT_MS });
    return (await alert.textContent()) ?? '';
  }

  async chooseDevice(): Promise<void> {
    await this.bluetooth.getByRole('button', { name: 'Choose device' }).click();
  }

  async pairOverBluetooth(code: string): Promise<void> {
    await this.bluetooth.getByLabel('Passcode or manual pairing code').fill(code);
    await this.bluetooth.getByRole('button', { name: 'Pair', exact: true }).click();
  }

  async pairOverWebSocket(code: string, url?: string): Promise<void> {
    if (url !== undefined) await this.edge.getByLabel('Edge WebSocket URL').fill(url);
    await this.edge.getByLabel('Edge passcode or manual pairing code').fill(code);
    await this.edge.getByRole('button', { name: 'Pair over WebSocket' }).click();
  }

  async readVendorName(): Promise<string> {
    await this.sessionPanel.getByRole('button', { name: 'Read VendorName' }).click();
    await this.status(/^VendorName: /);
    return (await this.page.locator('#vendor-name').textContent()) ?? '';
  }

  async closeSession(): Promise<void> {
    await this.sessionPanel.getByRole('button', { name: 'Close' }).click();
    await this.status(/Session closed/);
  }

  async edgeUrl(): Promise<string> {
    return this.edge.getByLabel('Edge WebSocket URL').inputValue();
  }

  async isEnabled(name: string): Promise<boolean> {
    return this.page.getByRole('button', { name, exact: true }).isEnabled();
  }

  /** The session panel's terms and details ("Local session id" -> "4711"). */
  async sessionDetails(): Promise<Record<string, string>> {
    return this.page.locator('#session-details').evaluate((list) => Object.fromEntries(
      Array.from(list.querySelectorAll('dt'), (term) => [term.textContent ?? '', term.nextElementSibling?.textContent ?? ''])));
  }
}
