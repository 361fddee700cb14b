import { type Browser, chromium } from 'playwright-core';
import { ensureDebian } from './debian.js';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Why Debian's chromium cannot be used, or false when it can (it is installed first when
 * missing and we are root). On CI a missing browser is an error, never a skip.
 */
export function chromiumUnavailable(): string | false {
  const unavailable = ensureDebian(CHROMIUM, ['chromium', 'fonts-liberation']);
  if (unavailable && process.env.CI) throw new Error(unavailable);
  return unavailable;
}

/** Debian's chromium, headless, through playwright-core (each launch gets a new empty profile). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
