// Chromium loads the bundle of this file from a page; ready() fetches the build it picks next to the bundle's URL.
import * as lib from '../../src/index.js';
import { matterCcm } from './matter-ccm.js';
import { portableCoreBench } from './portable-core-bench.js';

const w = window as unknown as { __bench?: unknown };
try {
  const version = navigator.userAgent.match(/(Headless)?Chrome\/[\d.]+/)?.[0] ?? navigator.userAgent;
  w.__bench = await portableCoreBench(lib, matterCcm, 'Chromium', version);
} catch (error) {
  w.__bench = { error: String((error as Error)?.stack ?? error) };
}
