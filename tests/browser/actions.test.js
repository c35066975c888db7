// browser_actions in a real Chromium: a second gateway runs the local backend in Scripted mode, whose turns call the
// endpoint's browser actions; the page performs them (or refuses), and the gateway journals each as a ToolCall.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startGateway } from "./lib/gateway.js";
import { launchChromium, openPage, screenshot } from "./lib/browser.js";
import { makeSpeechWav } from "./lib/speech.js";

const BANNER_TEXT = "Your order A-1042 ships tomorrow <b>not bold</b>";

const scenario = {
  name: "browser-actions",
  description: "Each caller turn (spoken or typed) makes the agent use one browser action.",
  turns: [
    {
      text: "One moment.",
      audio: "chime",
      function_call: { name: "show_message", arguments: { text: BANNER_TEXT } },
      then: { text: "It is on your screen now.", audio: "chime" },
    },
    {
      function_call: { name: "open_url", arguments: { url: "javascript:alert(1)" } },
      then: { text: "That link could not be opened.", audio: "tone" },
    },
    {
      function_call: { name: "make_coffee", arguments: { size: "large" } },
      then: { text: "This page cannot make coffee.", audio: "tone" },
    },
  ],
  after_last_turn: "echo",
};

const textParameters = { type: "object", properties: { text: { type: "string" } }, required: ["text"] };
const browserActions = [
  { name: "show_message", description: "Show a message on the caller's screen", parameters: textParameters },
  { name: "open_url", description: "Open a web page in a new tab", parameters: { type: "object", properties: { url: { type: "string" } }, required: ["url"] } },
  { name: "make_coffee", description: "Declared by the endpoint, not implemented by the page", parameters: { type: "object", properties: { size: { type: "string" } } } },
];

describe("browser actions on a scripted local backend", () => {
  let gateway;
  let browser;
  let adminKey;
  let workDir;
  let opened;

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-browser-actions-"));
    // A long pause after the speech: the looping microphone stays quiet while the first action runs.
    const wav = makeSpeechWav(workDir, { after: 8 });
    const scenarioPath = path.join(workDir, "browser-actions.json");
    fs.writeFileSync(scenarioPath, JSON.stringify(scenario, null, 2));
    [gateway, browser] = await Promise.all([
      startGateway({ name: "actions", env: { Switchboard__Local__Mode: "Scripted", Switchboard__Local__ScenarioPath: scenarioPath } }),
      launchChromium(wav),
    ]);
    adminKey = await gateway.createAdminKey();
    const endpoints = await gateway.api("GET", "/api/v1/endpoints", adminKey);
    assert.equal(endpoints.status, 200, JSON.stringify(endpoints.body));
    const id = endpoints.body.endpoints.find((e) => e.isDefault).id;
    const patched = await gateway.api("PATCH", `/api/v1/endpoints/${id}`, adminKey, { browserActions });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
  });

  after(async () => {
    await opened?.context.close().catch(() => {});
    await browser?.close().catch(() => {});
    if (gateway) {
      await gateway.stop();
    }
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  test("the agent shows a message, is refused a javascript: URL and an unknown action, and the gateway journals all three", { timeout: 90000 }, async () => {
    opened = await openPage(browser, gateway.baseUrl);
    const { page, problems } = opened;
    await page.waitForFunction(() => document.querySelector("#endpoint").value === "demo");
    await page.selectOption("#mode", "browser_actions");
    await page.click("#talk");

    // The caller's spoken turn makes the agent call show_message: the banner shows the text as text, not HTML.
    const banner = page.locator("#banner");
    await banner.waitFor({ state: "visible", timeout: 30000 });
    assert.equal(await banner.locator(".banner-text").textContent(), BANNER_TEXT);
    assert.equal(await banner.locator("b").count(), 0, "server text is never parsed as HTML");
    await page.waitForFunction(() => window.switchboardDebug.actions.some((a) => a.name === "show_message" && a.ok === true));
    const shown = (await page.evaluate(() => window.switchboardDebug.actions)).find((a) => a.name === "show_message");
    assert.deepEqual(shown.result, { shown: true });
    // The result went back to the model, which carried on with the scenario's next reply.
    await page.locator('#transcript .turn[data-role="agent"]').filter({ hasText: "It is on your screen now." }).waitFor({ timeout: 20000 });
    await screenshot(page, "06-browser-action");

    // Mute the microphone (the fake one repeats itself) and type the next two turns.
    await page.click("#talk");
    await page.waitForFunction(() => document.querySelector("#talk").dataset.phase === "muted");
    await page.waitForFunction(() => window.switchboardDebug.state === "idle", null, { timeout: 20000 });
    const pages = [];
    page.context().on("page", (p) => pages.push(p));
    for (const [name, expected] of [["open_url", /only http and https URLs are opened/], ["make_coffee", /does not perform the action 'make_coffee'/]]) {
      // A spoken turn may have taken this script turn already; type only while the action is still to come.
      const done = await page.evaluate((n) => window.switchboardDebug.actions.some((a) => a.name === n), name);
      if (!done) {
        await page.fill("#text-input", `please use ${name}`);
        await page.click("#send");
      }
      await page.waitForFunction((n) => window.switchboardDebug.actions.some((a) => a.name === n && a.ok === false), name, { timeout: 20000 });
      const entry = (await page.evaluate(() => window.switchboardDebug.actions)).find((a) => a.name === name);
      assert.match(entry.error, expected);
      await page.waitForFunction(() => window.switchboardDebug.state === "idle", null, { timeout: 20000 });
    }
    assert.equal(pages.length, 0, "no tab was opened for a javascript: URL");

    const callId = await page.evaluate(() => window.switchboardDebug.info.callId);
    await page.click("#hangup");
    await page.waitForSelector('#state[data-state="closed"][data-close-code="1000"]');

    // Each action is journalled as a ToolCall of kind browser_action with the page's answer.
    let toolCalls = [];
    for (let i = 0; i < 50; i++) {
      const { status, body } = await gateway.api("GET", `/api/v1/calls/${callId}`, adminKey);
      assert.equal(status, 200, JSON.stringify(body));
      toolCalls = body.events.filter((e) => e.type === "ToolCall");
      if (toolCalls.length >= 3 && body.endReason) {
        assert.equal(body.endReason, "caller_hangup");
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const byName = Object.fromEntries(toolCalls.map((e) => [e.text, e]));
    assert.deepEqual(Object.keys(byName).sort(), ["make_coffee", "open_url", "show_message"], JSON.stringify(toolCalls));
    for (const event of toolCalls) {
      assert.equal(event.data.kind, "browser_action", JSON.stringify(event));
    }
    assert.deepEqual(JSON.parse(byName.show_message.detail), { ok: true, result: { shown: true } });
    assert.equal(JSON.parse(byName.open_url.detail).ok, false);
    assert.match(JSON.parse(byName.make_coffee.detail).error, /make_coffee/);
    assert.deepEqual(problems, []);
  });
});
