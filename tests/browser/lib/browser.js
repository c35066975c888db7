// Debian's Chromium, headless, driven by playwright-core (no bundled browser), with a fake microphone that plays a WAV.

import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { repoRoot } from "./gateway.js";

export const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const screenshotDir = path.join(repoRoot, "artifacts", "browser");

export async function launchChromium(wav) {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}: install Debian's 'chromium' package or set CHROMIUM_PATH`);
  }

  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-audio-capture=${wav}`,
      "--autoplay-policy=no-user-gesture-required",
      "--no-sandbox",
    ],
  });
}

/**
 * A fresh context and page that records console errors and page errors.
 * @returns {Promise<{ context, page, problems: string[] }>}
 */
export async function openPage(browser, baseUrl, { viewport = { width: 1100, height: 900 }, ...contextOptions } = {}) {
  const context = await browser.newContext({ viewport, ...contextOptions });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.setDefaultTimeout(30000);
  await page.goto(baseUrl + "/");
  return { context, page, problems };
}

export async function screenshot(page, name) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}
