// The Telegram Mini App in a real Chromium against a real gateway with the local echo agent: the bot (on a fake Bot API)
// answers /call with a web_app button; the page, with a stubbed Telegram.WebApp carrying signed initData and a fake
// microphone, bootstraps, hears the echo, barges in and hangs up; the operator's bridge on /ws/bridge receives the
// call live and, at the end, its transcript and artifact.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startGateway } from "./lib/gateway.js";
import { launchChromium, screenshot } from "./lib/browser.js";
import { makeSpeechWav } from "./lib/speech.js";
import { BOT_TOKEN, signInitData, startFakeBotApi, webAppStub } from "./lib/telegram.js";

const USER = 4242;
const SECRET = "browser-control-secret-0123456789";
const THEME = { bg_color: "#102030", text_color: "#fafafa", button_color: "#33aa55", button_text_color: "#ffffff", hint_color: "#99aabb" };

describe("Telegram Mini App on the local echo gateway", () => {
  let bot;
  let gateway;
  let browser;
  let workDir;

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-browser-miniapp-"));
    // Only 1 s of silence after the speech: the looping microphone talks again while the echo plays (a barge-in).
    const wav = makeSpeechWav(workDir, { after: 1 });
    bot = await startFakeBotApi();
    [gateway, browser] = await Promise.all([
      startGateway({
        name: "miniapp",
        env: (baseUrl) => ({
          TELEGRAM_BOT_TOKEN: BOT_TOKEN,
          TELEGRAM_API_BASE_URL: bot.baseUrl,
          TELEGRAM_ALLOWED_USER_IDS: String(USER),
          REALTIME_CONTROL_SECRET: SECRET,
          SWITCHBOARD_PUBLIC_URL: baseUrl,
          Switchboard__Telegram__PollTimeoutSeconds: "2",
        }),
      }),
      launchChromium(wav),
    ]);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await gateway?.stop();
    await bot?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  test("/call → Mini App: hears the echo, barges in, hangs up; the bridge gets the transcript and artifact", { timeout: 120000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 420, height: 820 } });
    try {
      // The operator's bridge: a WebSocket from a page on the gateway's origin, collecting what it is sent.
      const bridgePage = await context.newPage();
      await bridgePage.goto(gateway.baseUrl + "/healthz");
      await bridgePage.evaluate(async ({ url }) => {
        window.bridgeMessages = [];
        const ws = new WebSocket(url);
        window.bridge = ws;
        ws.onmessage = (event) => window.bridgeMessages.push(JSON.parse(event.data));
        await new Promise((resolve, reject) => {
          ws.onopen = resolve;
          ws.onerror = reject;
        });
        ws.send(JSON.stringify({ type: "bind", threadId: "browser-thread" }));
        ws.send(JSON.stringify({ type: "arm" }));
      }, { url: gateway.baseUrl.replace("http", "ws") + "/ws/bridge?secret=" + SECRET });
      const bridgeGot = (type, predicate = "true") =>
        bridgePage.waitForFunction(([t, p]) => window.bridgeMessages.find((m) => m.type === t && new Function("m", `return ${p}`)(m)), [type, predicate], { timeout: 60000 })
          .then((handle) => handle.jsonValue());
      await bridgeGot("surface.armed");

      // The bot hands out the button.
      bot.command(USER, "/call");
      const message = await bot.nextMessage();
      const url = message.reply_markup.inline_keyboard[0][0].web_app.url;
      assert.ok(url.startsWith(gateway.baseUrl + "/miniapp?launch="), url);

      const page = await context.newPage();
      const problems = [];
      page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      await page.route("https://telegram.org/js/telegram-web-app.js", (route) =>
        route.fulfill({ contentType: "application/javascript", body: webAppStub(signInitData(BOT_TOKEN, USER), THEME) }));
      // Counts the real getUserMedia calls under the page's own once-only wrapper.
      await page.addInitScript(() => {
        const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
        window.micRequests = 0;
        navigator.mediaDevices.getUserMedia = (c) => {
          window.micRequests++;
          return original(c);
        };
      });
      await page.goto(url);
      assert.equal(await page.locator('script[src$="telegram-web-app.js"]').count(), 1);
      assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), "rgb(16, 32, 48)", "the Telegram theme colours apply");
      assert.equal(await page.locator("#hangup").isDisabled(), true);
      await screenshot(page, "miniapp-01-idle");

      await page.click("#call");
      await page.waitForFunction(() => window.miniAppDebug.states.includes("connected"));
      const started = await bridgeGot("call.started");
      assert.equal(started.threadId, "browser-thread");
      assert.deepEqual(await page.evaluate(() => Telegram.WebApp.calls.filter((c) => c.includes("Closing"))), ["enableClosingConfirmation"]);

      // The caller hears the echo: some of an agent item played at the speakers.
      await page.waitForFunction(() => Object.values(window.miniAppDebug.stats?.playedMs || {}).some((ms) => ms > 300), null, { timeout: 60000 });
      await screenshot(page, "miniapp-02-talking");
      // Mute and unmute: the microphone is not asked for again.
      await page.click("#mute");
      assert.equal(await page.locator("#mute").getAttribute("aria-pressed"), "true");
      await page.click("#mute");
      assert.equal(await page.locator("#mute").getAttribute("aria-pressed"), "false");
      // Barge-in: the looping microphone speaks over the echo, which is cut where the page says it stopped.
      await page.waitForFunction(() => window.miniAppDebug.transcript.some((t) => t.role === "agent" && t.interrupted), null, { timeout: 60000 });
      assert.ok(await page.locator('#transcript li[data-role="agent"][data-interrupted="true"]').count() >= 1);
      const live = await bridgeGot("call.event", "m.event.kind === 'BargeIn'");
      assert.equal(live.callId, started.callId);
      assert.equal(await page.evaluate(() => window.micRequests), 1, "getUserMedia is called once per page");

      await page.click("#hangup");
      await page.waitForFunction(() => window.miniAppDebug.state === "closed");
      assert.deepEqual((await page.evaluate(() => window.miniAppDebug.closes)).at(-1), { code: 1000, reason: "hangup" });
      assert.equal(await page.locator("#error").isHidden(), true, "a clean hang-up shows no error");
      await screenshot(page, "miniapp-03-ended");

      const ended = await bridgeGot("call.ended");
      assert.equal(ended.callId, started.callId);
      assert.equal(ended.threadId, "browser-thread");
      assert.equal(ended.reason, "caller_hangup");
      assert.ok(ended.transcript.some((t) => t.role === "caller" && /\(\d+\.\d s of speech\)/.test(t.text)), JSON.stringify(ended.transcript));
      assert.ok(ended.transcript.some((t) => t.role === "agent" && t.text === "(echo)" && t.interrupted), JSON.stringify(ended.transcript));
      assert.equal(ended.artifact.callId, started.callId);
      assert.equal(ended.artifact.endReason, "caller_hangup");
      assert.equal(ended.artifact.endpoint.name, "telegram-default");
      assert.deepEqual(problems, []);

      // The same button does not start a second call.
      const again = await page.evaluate(async (token) => {
        const response = await fetch("/api/call/bootstrap", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ launchToken: token, initData: Telegram.WebApp.initData }) });
        return { status: response.status, body: await response.json() };
      }, new URL(url).searchParams.get("launch"));
      assert.equal(again.status, 409);
      assert.equal(again.body.error, "launch_token_used");
    } finally {
      await context.close();
    }
  });
});
