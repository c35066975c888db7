// The talk page and the JavaScript client in a real Chromium, against a real gateway running the local echo agent.
// The fake microphone plays espeak-ng speech; the local backend detects turns by energy and echoes the audio back.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startGateway } from "./lib/gateway.js";
import { launchChromium, openPage, screenshot } from "./lib/browser.js";
import { makeSpeechWav } from "./lib/speech.js";

const SPEECH = /\(\d+\.\d s of speech\)/;

describe("talk page on the local echo gateway", () => {
  let gateway;
  let browser;
  let adminKey;
  let workDir;
  const pages = [];

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-browser-talk-"));
    const wav = makeSpeechWav(workDir);
    [gateway, browser] = await Promise.all([startGateway({ name: "talk" }), launchChromium(wav)]);
    adminKey = await gateway.createAdminKey();
  });

  after(async () => {
    for (const { context } of pages) {
      await context.close().catch(() => {});
    }
    await browser?.close().catch(() => {});
    if (gateway) {
      await gateway.stop();
    }
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  async function open(options) {
    const opened = await openPage(browser, gateway.baseUrl, options);
    pages.push(opened);
    return opened;
  }

  async function closeAll(opened) {
    await opened.context.close();
  }

  test("the page loads without console errors and offers the demo endpoint", async () => {
    const opened = await open();
    const { page, problems } = opened;
    await page.waitForFunction(() => document.querySelector("#endpoint").value === "demo");
    const label = await page.locator("#endpoint option[value=demo]").textContent();
    assert.match(label, /^default \(local demo, no key\)$/);
    assert.equal(await page.locator("#mode").inputValue(), "voice_conversation");
    assert.equal(await page.locator("#state").getAttribute("data-state"), "closed");
    assert.equal(await page.locator("#talk").isVisible(), true);
    assert.equal(await page.locator("#hangup").isDisabled(), true);
    assert.equal(await page.locator("#error").isHidden(), true);
    // The SDK module is served and its helper speaks plainly.
    const described = await page.evaluate(async () => {
      const sdk = await import("/sdk/switchboard.js");
      return [sdk.describeClose(4003, "token expired"), sdk.describeClose(4000, ""), sdk.describeClose(1006, "")];
    });
    assert.match(described[0], /expired/);
    assert.match(described[1], /newer connection/);
    assert.match(described[2], /unreachable/);
    await screenshot(page, "01-idle");
    assert.deepEqual(problems, []);
    await closeAll(opened);
  });

  test("voice conversation: speech in, echo out, transcript, playback, hang-up recorded as caller_hangup", { timeout: 90000 }, async () => {
    const opened = await open();
    const { page, problems } = opened;
    await page.waitForFunction(() => document.querySelector("#endpoint").value === "demo");
    await page.click("#talk");

    // connected, then the caller's turn (listening/thinking), then the agent speaking.
    await page.waitForFunction(() => window.switchboardDebug.states.includes("speaking"), null, { timeout: 40000 });
    const states = await page.evaluate(() => window.switchboardDebug.states);
    const connected = states.indexOf("connected");
    const heard = states.findIndex((s, i) => i > connected && (s === "listening" || s === "thinking"));
    const speaking = states.findIndex((s, i) => i > heard && s === "speaking");
    assert.ok(connected >= 0 && heard > connected && speaking > heard, `unexpected state sequence: ${states.join(" → ")}`);

    const user = page.locator('#transcript .turn[data-role="user"]').first();
    await user.waitFor();
    assert.match(await user.locator(".text").textContent(), SPEECH);
    assert.match(await user.getAttribute("data-item-id"), /\S/);

    const agent = page.locator('#transcript .turn[data-role="agent"][data-final="true"]').filter({ hasText: "(echo)" }).first();
    await agent.waitFor({ timeout: 30000 });
    const agentItem = await agent.getAttribute("data-item-id");
    assert.ok(agentItem, "the agent turn has an item id");

    // The echo really played: the player counted more than 500 ms of that item's audio at the speakers.
    await page.waitForFunction((item) => (window.switchboardDebug.playedMs[item] || 0) > 500, agentItem, { timeout: 20000 });
    const level = Number(await page.locator("#level").getAttribute("aria-valuenow"));
    assert.ok(Number.isFinite(level), "the level meter has a value");
    const rtt = await page.waitForFunction(() => Number(document.querySelector("#latency").dataset.rttMs || "NaN") >= 0, null, { timeout: 15000 });
    assert.ok(rtt);
    assert.match(await page.locator("#latency").textContent(), /RTT \d+ ms/);
    await screenshot(page, "02-talking");

    const callId = await page.evaluate(() => window.switchboardDebug.info.callId);
    assert.match(callId, /^call_/);
    await page.click("#hangup");
    await page.waitForSelector('#state[data-state="closed"][data-close-code="1000"]', { timeout: 10000 });
    assert.equal(await page.locator("#error").isHidden(), true, "a clean hang-up shows no error");
    const closes = await page.evaluate(() => window.switchboardDebug.closes);
    assert.deepEqual(closes.at(-1), { code: 1000, reason: "hangup", willReconnect: false });
    await screenshot(page, "03-closed");

    // The gateway recorded the conversation as a websocket call that the caller hung up.
    let call;
    for (let i = 0; i < 50; i++) {
      const { status, body } = await gateway.api("GET", `/api/v1/calls/${callId}`, adminKey);
      assert.equal(status, 200, JSON.stringify(body));
      call = body;
      if (call.endReason) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(call.channel, "websocket");
    assert.equal(call.endReason, "caller_hangup");
    const listed = await gateway.api("GET", "/api/v1/calls?limit=50", adminKey);
    assert.ok(listed.body.calls.some((c) => c.id === callId && c.endReason === "caller_hangup"), "the call is listed as ended by the caller");
    assert.ok(call.transcript.some((t) => t.role === "caller" && SPEECH.test(t.text)), `caller turn journalled: ${JSON.stringify(call.transcript)}`);
    assert.ok(call.transcript.some((t) => t.role === "agent" && t.text === "(echo)"), `agent turn journalled: ${JSON.stringify(call.transcript)}`);
    assert.deepEqual(problems, []);
    await closeAll(opened);
  });

  test("text mode: a typed message comes back as (echo) <text>", { timeout: 60000 }, async () => {
    const opened = await open();
    const { page, problems } = opened;
    await page.waitForFunction(() => document.querySelector("#endpoint").value === "demo");
    await page.selectOption("#mode", "text");
    assert.equal(await page.locator("#talk .talk-label").textContent(), "Start");
    await page.fill("#text-input", "hi there");
    await page.click("#send");
    const user = page.locator('#transcript .turn[data-role="user"]').first();
    await user.waitFor();
    assert.equal(await user.locator(".text").textContent(), "hi there");
    const agent = page.locator('#transcript .turn[data-role="agent"][data-final="true"]').filter({ hasText: "(echo) hi there" });
    await agent.waitFor();
    assert.equal(await agent.locator(".text").textContent(), "(echo) hi there");
    await page.waitForFunction(() => document.querySelector("#state").dataset.state === "idle");
    assert.match(await page.locator("#latency").getAttribute("data-response-ms"), /^\d+$/);
    await page.click("#hangup");
    await page.waitForSelector('#state[data-state="closed"][data-close-code="1000"]');
    assert.deepEqual(problems, []);
    await closeAll(opened);
  });

  test("audio_playback: a typed message is answered with audio that plays", { timeout: 60000 }, async () => {
    const opened = await open();
    const { page, problems } = opened;
    await page.waitForFunction(() => document.querySelector("#endpoint").value === "demo");
    await page.selectOption("#mode", "audio_playback");
    await page.fill("#text-input", "read this aloud");
    await page.click("#send");
    const agent = page.locator('#transcript .turn[data-role="agent"][data-final="true"]').filter({ hasText: "read this aloud" }).first();
    await agent.waitFor({ timeout: 20000 });
    const item = await agent.getAttribute("data-item-id");
    // The local agent answers a typed turn in audio modality with a 400 ms chime.
    await page.waitForFunction((id) => (window.switchboardDebug.playedMs[id] || 0) >= 300, item, { timeout: 15000 });
    const states = await page.evaluate(() => window.switchboardDebug.states);
    assert.ok(states.includes("speaking"), `the page showed the agent speaking: ${states.join(" → ")}`);
    // When the item has played out the page goes back to idle, and the whole chime was counted.
    await page.waitForFunction(() => !window.switchboardDebug.stats.playing && window.switchboardDebug.state === "idle", null, { timeout: 10000 });
    const played = await page.evaluate((id) => window.switchboardDebug.playedMs[id], item);
    assert.ok(played >= 380 && played <= 420, `the 400 ms chime played in full (${played} ms)`);
    await page.click("#hangup");
    await page.waitForSelector('#state[data-state="closed"][data-close-code="1000"]');
    assert.deepEqual(problems, []);
    await closeAll(opened);
  });

  test("a rejected token (4003) shows a friendly message", { timeout: 30000 }, async () => {
    const opened = await open();
    const { page } = opened;
    await page.waitForFunction(() => document.querySelector("#endpoint").value === "demo");
    // The gateway issues a real session; the page receives it with the token's signature broken.
    await page.route("**/demo/sessions", async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      body.wsUrl = body.wsUrl.replace(/token=([^&]+)/, (_, token) => `token=${token.slice(0, -4)}AAAA`);
      await route.fulfill({ response, json: body });
    });
    await page.click("#talk");
    await page.waitForSelector('#error[data-code="close_4003"]', { state: "visible" });
    const message = await page.locator("#error .alert-text").textContent();
    assert.match(message, /refused this session \(invalid token\)\. Start a new conversation/);
    await page.waitForSelector('#state[data-state="closed"][data-close-code="4003"]');
    assert.equal(await page.locator("#hangup").isDisabled(), true);
    await screenshot(page, "04-error-4003");

    // The same with the token left out of the URL: 4001.
    await page.unroute("**/demo/sessions");
    await page.route("**/demo/sessions", async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      body.wsUrl = body.wsUrl.replace(/&token=[^&]+/, "");
      await route.fulfill({ response, json: body });
    });
    await page.click("#talk");
    await page.waitForSelector('#error[data-code="close_4001"]', { state: "visible" });
    assert.match(await page.locator("#error .alert-text").textContent(), /link is incomplete \(missing token\)/);
    await page.waitForSelector('#state[data-state="closed"][data-close-code="4001"]');
    await closeAll(opened);
  });

  test("an unreachable gateway and a denied microphone get clear messages", { timeout: 30000 }, async () => {
    const opened = await open();
    const { page } = opened;
    await page.waitForFunction(() => document.querySelector("#endpoint").value === "demo");
    await page.route("**/demo/sessions", (route) => route.abort("connectionrefused"));
    await page.click("#talk");
    await page.waitForSelector('#error[data-code="unreachable"]', { state: "visible" });
    assert.match(await page.locator("#error .alert-text").textContent(), /Cannot reach the gateway/);
    assert.equal(await page.locator("#state").getAttribute("data-state"), "closed");
    await page.unroute("**/demo/sessions");

    // A browser that refuses the microphone: getUserMedia rejects with NotAllowedError, as after "Block".
    await page.evaluate(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
    });
    await page.click("#talk");
    await page.waitForSelector('#error[data-code="mic_denied"]', { state: "visible" });
    assert.match(await page.locator("#error .alert-text").textContent(), /Microphone access was denied/);
    // The session is hung up rather than left open without a microphone.
    await page.waitForSelector('#state[data-state="closed"][data-close-code="1000"]');
    assert.equal(await page.locator("#error").getAttribute("data-code"), "mic_denied", "the mic message stays on screen");
    await closeAll(opened);
  });

  test("a network blip (1011) reconnects once within the token's life; a takeover (4000) does not", { timeout: 60000 }, async () => {
    const opened = await open();
    const { page } = opened;
    await page.waitForFunction(() => document.querySelector("#endpoint").value === "demo");
    let wsUrl = null;
    await page.route("**/demo/sessions", async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      wsUrl = body.wsUrl;
      await route.fulfill({ response, json: body });
    });
    // The first connection is cut from the page's side as soon as the agent is ready; later ones pass through.
    let connections = 0;
    await page.routeWebSocket(/\/ws\/session/, (ws) => {
      connections++;
      const server = ws.connectToServer();
      if (connections === 1) {
        server.onMessage((message) => {
          ws.send(message);
          if (JSON.parse(message.toString()).payload?.state === "idle") {
            ws.close({ code: 1011, reason: "agent backend disconnected" });
          }
        });
      }
    });
    await page.selectOption("#mode", "text");
    await page.click("#talk");
    await page.waitForFunction(() => window.switchboardDebug.closes.some((c) => c.code === 1011 && c.willReconnect), null, { timeout: 15000 });
    await page.waitForFunction(() => window.switchboardDebug.state === "idle" && window.switchboardDebug.closes.length === 1, null, { timeout: 15000 });
    assert.equal(connections, 2, "one reconnect");
    assert.equal(await page.locator("#error").isHidden(), true, "the reconnecting notice is cleared once connected again");
    await page.fill("#text-input", "after the blip");
    await page.click("#send");
    await page.locator('#transcript .turn[data-role="agent"][data-final="true"]').filter({ hasText: "(echo) after the blip" }).waitFor();

    // Another tab opens the same session: the gateway closes ours with 4000, and the client must not fight back.
    assert.ok(wsUrl, "the session's wsUrl was seen");
    await page.evaluate((url) => {
      window.rival = new WebSocket(url);
    }, wsUrl);
    await page.waitForSelector('#error[data-code="close_4000"]', { state: "visible" });
    assert.match(await page.locator("#error .alert-text").textContent(), /taken over by a newer connection/);
    await page.waitForSelector('#state[data-state="closed"][data-close-code="4000"]');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(connections, 3, "no reconnect after 4000 (the third connection is the rival's)");
    assert.deepEqual((await page.evaluate(() => window.switchboardDebug.closes)).at(-1), { code: 4000, reason: "superseded by a newer connection", willReconnect: false });
    await page.evaluate(() => window.rival.close());
    await closeAll(opened);
  });

  test("barge-in: speaking over the echo stops playback and the gateway truncates at the position the page reported", { timeout: 90000 }, async () => {
    // Speech with only 1 s of silence after it: the looping microphone talks again while the echo still plays.
    const wav = makeSpeechWav(path.join(workDir, "barge-in"), { after: 1 });
    const bargeBrowser = await launchChromium(wav);
    try {
      const context = await bargeBrowser.newContext({ viewport: { width: 1100, height: 900 } });
      const page = await context.newPage();
      await page.goto(gateway.baseUrl + "/");
      await page.waitForFunction(() => document.querySelector("#endpoint").value === "demo");
      await page.click("#talk");
      const cut = page.locator('#transcript .turn[data-role="agent"].interrupted').first();
      await cut.waitFor({ timeout: 40000 });
      const item = await cut.getAttribute("data-item-id");
      const meta = await cut.locator(".meta").textContent();
      assert.match(meta, /^interrupted · heard \d+\.\d s$/);
      const turn = (await page.evaluate(() => window.switchboardDebug.transcript)).find((t) => t.itemId === item);
      const played = await page.evaluate((id) => window.switchboardDebug.playedMs[id], item);
      assert.ok(played > 0, `some of the echo played before the barge-in (${played} ms)`);
      assert.equal(turn.heardMs, played, "the gateway truncated exactly where the page said playback stopped");
      const callId = await page.evaluate(() => window.switchboardDebug.info.callId);
      await screenshot(page, "07-barge-in");
      await page.click("#hangup");
      await page.waitForSelector('#state[data-state="closed"][data-close-code="1000"]');
      let bargeIn;
      for (let i = 0; i < 50 && !bargeIn; i++) {
        const { body } = await gateway.api("GET", `/api/v1/calls/${callId}`, adminKey);
        bargeIn = body.events.find((e) => e.type === "BargeIn" && e.itemId === item);
        if (!bargeIn) {
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
      assert.ok(bargeIn, "the gateway journalled the barge-in");
      assert.equal(bargeIn.heardMs, played, JSON.stringify(bargeIn));
      assert.equal(bargeIn.data.position_from, "client", "the position came from the page's playback report, not the gateway's estimate");
      await context.close();
    } finally {
      await bargeBrowser.close();
    }
  });

  test("Stop agent: the page cuts the echo itself and the gateway truncates at the position the page sent", { timeout: 60000 }, async () => {
    const opened = await open();
    const { page, problems } = opened;
    await page.waitForFunction(() => document.querySelector("#endpoint").value === "demo");
    await page.click("#talk");
    const agent = page.locator('#transcript .turn[data-role="agent"]').first();
    await agent.waitFor({ timeout: 30000 });
    const item = await agent.getAttribute("data-item-id");
    await page.waitForFunction((id) => (window.switchboardDebug.playedMs[id] || 0) > 600, item, { timeout: 15000 });
    await page.click("#stop-agent");
    await page.waitForFunction((id) => {
      const turn = document.querySelector(`#transcript .turn[data-item-id="${id}"]`);
      return turn && turn.classList.contains("interrupted");
    }, item, { timeout: 10000 });
    const played = await page.evaluate((id) => window.switchboardDebug.playedMs[id], item);
    const turn = (await page.evaluate(() => window.switchboardDebug.transcript)).find((t) => t.itemId === item);
    const diagnostics = await page.evaluate(() => JSON.stringify({ d: window.switchboardDebug.stats, s: window.switchboardDebug.states, c: window.switchboardDebug.closes, e: window.switchboardDebug.errors, t: window.switchboardDebug.transcript }));
    assert.ok(played > 600 && played < 2500, `stopped part-way (${played} ms): ${diagnostics}`);
    assert.equal(turn.heardMs, played, "the gateway truncated where the page stopped");
    assert.equal(await page.evaluate(() => window.switchboardDebug.stats.playing), false, "nothing plays after Stop");
    await page.click("#hangup");
    await page.waitForSelector('#state[data-state="closed"][data-close-code="1000"]');
    assert.deepEqual(problems, []);
    await closeAll(opened);
  });

  test("with an API key: demo off asks for one, a bad key is refused, a good one lists endpoints and starts sessions", { timeout: 60000 }, async () => {
    // An endpoint that needs OpenAI, on a gateway that has no OpenAI key: its sessions end with 1011.
    const created = await gateway.api("POST", "/api/v1/endpoints", adminKey, { name: "needs-openai", backend: "openai" });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const opened = await open();
    const { page } = opened;
    // As on a gateway with a real backend (the demo routes' own behaviour is covered by the .NET tests).
    await page.route("**/demo/config", (route) => route.fulfill({ json: { enabled: false } }));
    await page.reload();
    await page.waitForSelector('#error[data-code="demo_off"]', { state: "visible" });
    assert.equal(await page.locator("#key-form").isVisible(), true);
    assert.equal(await page.locator("#endpoint").isDisabled(), true);

    await page.fill("#api-key", "sb_notakey1_0000000000000000000000000000");
    await page.click('#key-form button[type="submit"]');
    await page.waitForSelector('#error[data-code="bad_key"]', { state: "visible" });
    assert.equal(await page.evaluate(() => sessionStorage.getItem("switchboard.apiKey")), null, "a refused key is not kept");

    await page.fill("#api-key", adminKey);
    await page.click('#key-form button[type="submit"]');
    await page.waitForFunction(() => document.querySelector("#endpoint").selectedOptions[0]?.textContent === "default (default)");
    assert.equal(await page.locator("#error").isHidden(), true);
    assert.equal(await page.locator("#key-form").isHidden(), true);

    // The key is asked for once: a reload in the same tab finds it in sessionStorage.
    await page.reload();
    await page.waitForFunction(() => document.querySelector("#endpoint").selectedOptions[0]?.textContent === "default (default)");
    assert.equal(await page.locator("#key-form").isHidden(), true);

    await page.selectOption("#mode", "text");
    await page.fill("#text-input", "with a key");
    const [request] = await Promise.all([page.waitForRequest("**/api/v1/sessions"), page.click("#send")]);
    assert.equal(request.headers()["x-api-key"], adminKey);
    assert.equal(JSON.parse(request.postData()).mode, "text");
    await page.locator('#transcript .turn[data-role="agent"][data-final="true"]').filter({ hasText: "(echo) with a key" }).waitFor();
    await page.click("#hangup");
    await page.waitForSelector('#state[data-state="closed"][data-close-code="1000"]');

    await page.selectOption("#endpoint", { label: "needs-openai" });
    await page.click("#talk");
    // 1011 is retried once (a backend may be briefly down), so wait for the final close before reading the message:
    // while the retry runs the page says "Reconnecting…".
    await page.waitForSelector('#state[data-state="closed"][data-close-code="1011"]');
    await page.waitForSelector('#error[data-code="backend_unavailable"]', { state: "visible" });
    // The gateway's error message (sent just before the close) says more than the close code, so it stays.
    assert.match(await page.locator("#error .alert-text").textContent(), /backend 'openai', which this gateway does not run/);
    const errors = await page.evaluate(() => window.switchboardDebug.errors);
    assert.ok(errors.some((e) => e.code === "backend_unavailable"), `the gateway said why before closing: ${JSON.stringify(errors)}`);

    await page.click("#forget-key");
    assert.equal(await page.evaluate(() => sessionStorage.getItem("switchboard.apiKey")), null);
    await closeAll(opened);
  });

  test("a phone-sized screen shows the Talk button without horizontal scrolling", { timeout: 30000 }, async () => {
    const opened = await open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, colorScheme: "dark" });
    const { page, problems } = opened;
    await page.waitForFunction(() => document.querySelector("#endpoint").value === "demo");
    const box = await page.locator("#talk").boundingBox();
    assert.ok(box, "Talk is rendered");
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `Talk fits across: ${JSON.stringify(box)}`);
    assert.ok(box.y >= 0 && box.y + box.height <= 844, `Talk is above the fold: ${JSON.stringify(box)}`);
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    assert.ok(widths.scroll <= widths.client, `no horizontal scroll: ${JSON.stringify(widths)}`);
    await screenshot(page, "05-phone-idle");
    await page.selectOption("#mode", "text");
    await page.fill("#text-input", "hello from a phone");
    await page.click("#send");
    await page.locator('#transcript .turn[data-role="agent"][data-final="true"]').filter({ hasText: "(echo) hello from a phone" }).waitFor();
    const after = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(after <= 390, `still no horizontal scroll with a transcript (${after})`);
    await screenshot(page, "05-phone-chat");
    await page.click("#hangup");
    assert.deepEqual(problems, []);
    await closeAll(opened);
  });
});
