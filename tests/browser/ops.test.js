// The operations page (/ops) in a real Chromium against a real gateway running the local echo agent: a live text session
// appears with its channel and endpoint, its transcript streams as the caller types, and "Hang up" with a goodbye ends it
// (the caller's socket closes, the call ends as operator_hangup and the journal holds the goodbye).

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startGateway } from "./lib/gateway.js";
import { launchChromium, openPage, screenshot } from "./lib/browser.js";
import { makeSpeechWav } from "./lib/speech.js";

describe("operations page", () => {
  let gateway;
  let browser;
  let adminKey;
  let workDir;

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-browser-ops-"));
    const wav = makeSpeechWav(workDir);
    [gateway, browser] = await Promise.all([startGateway({ name: "ops" }), launchChromium(wav)]);
    adminKey = await gateway.createAdminKey();
  });

  after(async () => {
    await browser?.close().catch(() => {});
    if (gateway) {
      await gateway.stop();
    }
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  test("a live call appears, its transcript streams, and hang up ends it with the goodbye", async () => {
    // The operator's page first, logged in with a key.
    const ops = await openPage(browser, gateway.baseUrl);
    const missing = [];
    ops.page.on("response", (response) => {
      if (response.status() === 404) {
        missing.push(response.url());
      }
    });
    await ops.page.goto(gateway.baseUrl + "/ops");
    ops.problems.length = 0; // what the talk page (openPage's first stop) logged is not this page's
    await ops.page.fill("#key", adminKey);
    await ops.page.click("#enter");
    await ops.page.waitForSelector("#board:not([hidden])");
    await ops.page.waitForFunction(() => document.querySelector("#node").dataset.status === "ok");
    assert.equal(await ops.page.locator("#calls tr").count(), 0);

    // A caller: a text session over a real WebSocket from another page.
    const endpoints = await gateway.api("GET", "/api/v1/endpoints", adminKey);
    assert.equal(endpoints.status, 200, JSON.stringify(endpoints.body));
    const endpoint = endpoints.body.endpoints[0];
    const session = await gateway.api("POST", "/api/v1/sessions", adminKey, { endpointId: endpoint.id, mode: "text" });
    assert.equal(session.status, 201, JSON.stringify(session.body));
    const caller = await openPage(browser, gateway.baseUrl);
    await caller.page.evaluate((url) => new Promise((resolve, reject) => {
      window.messages = [];
      window.socketClosed = null;
      const socket = new WebSocket(url);
      window.socket = socket;
      socket.onmessage = (event) => window.messages.push(JSON.parse(event.data));
      socket.onclose = (event) => { window.socketClosed = { code: event.code, reason: event.reason }; };
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error("the session socket failed"));
    }), session.body.wsUrl);

    // The live call appears with its channel and endpoint.
    const row = ops.page.locator("#calls tr").first();
    await row.waitFor();
    assert.equal(await row.locator("td").nth(0).textContent(), "websocket");
    assert.equal(await row.locator("td").nth(1).textContent(), endpoint.name);
    await row.click();
    const callId = await row.getAttribute("data-call-id");
    assert.match(callId, /^call_[0-9a-f]{32}$/);
    assert.equal(await ops.page.locator("#hangup").isDisabled(), false);

    // The transcript streams while the caller types.
    await caller.page.evaluate(() => window.socket.send(JSON.stringify({ type: "text", payload: { text: "Where is my parcel?" } })));
    await ops.page.waitForFunction(() => [...document.querySelectorAll("#transcript .turn[data-role=caller]")].some((t) => t.textContent.includes("Where is my parcel?")));
    await ops.page.waitForFunction(() => [...document.querySelectorAll("#transcript .turn[data-role=agent]")].some((t) => t.textContent.includes("Where is my parcel?")));
    await caller.page.evaluate(() => window.socket.send(JSON.stringify({ type: "text", payload: { text: "And my invoice?" } })));
    await ops.page.waitForFunction(() => [...document.querySelectorAll("#transcript .turn[data-role=caller]")].some((t) => t.textContent.includes("And my invoice?")));
    await screenshot(ops.page, "ops-live-call");

    // Hang up with a goodbye: the caller hears it, then the call ends and leaves the list.
    await ops.page.fill("#goodbye", "Goodbye from the operations desk.");
    await ops.page.click("#hangup");
    await ops.page.waitForFunction(() => document.querySelector("#hangup-status").textContent.includes("operator_hangup"), null, { timeout: 30000 });
    await ops.page.waitForFunction(() => document.querySelectorAll("#calls tr").length === 0);
    await caller.page.waitForFunction(() => window.socketClosed !== null, null, { timeout: 30000 });
    const closed = await caller.page.evaluate(() => window.socketClosed);
    assert.equal(closed.code, 1000);

    // The journal writes in batches: wait for the call's end to be stored.
    let stored;
    for (const deadline = Date.now() + 10000; ; await new Promise((resolve) => setTimeout(resolve, 100))) {
      stored = await gateway.api("GET", `/api/v1/calls/${callId}`, adminKey);
      if ((stored.status === 200 && stored.body.endReason) || Date.now() > deadline) {
        break;
      }
    }
    assert.equal(stored.status, 200);
    assert.equal(stored.body.endReason, "operator_hangup");
    const goodbye = stored.body.events.find((e) => e.type === "LimitWarning" && e.reason === "goodbye");
    assert.ok(goodbye, "no goodbye in the journal: " + JSON.stringify(stored.body.events.map((e) => e.type)));
    // The agent was asked to say the operator's words (the local echo agent answers any request with a chime), and the
    // caller got that answer before the socket closed.
    assert.match(goodbye.text, /Say exactly: "Goodbye from the operations desk\."/);
    const heard = await caller.page.evaluate(() => window.messages.filter((m) => m.type === "transcript" && m.payload.role === "agent" && m.payload.final).map((m) => m.payload.text));
    assert.ok(heard.length >= 3, "the caller got no goodbye: " + JSON.stringify(heard));
    assert.deepEqual(missing, []);
    assert.deepEqual(ops.problems, []);
    await screenshot(ops.page, "ops-after-hangup");
    await ops.context.close();
    await caller.context.close();
  });

  test("a key without READ_CALLS is told so", async () => {
    const stdout = await gateway.cli(["keys", "create", "--name", "tokens-only", "--scopes", "CREATE_CALL_TOKEN", "--json"]);
    const key = JSON.parse(stdout).key;
    const ops = await openPage(browser, gateway.baseUrl);
    await ops.page.goto(gateway.baseUrl + "/ops");
    await ops.page.fill("#key", key);
    await ops.page.click("#enter");
    await ops.page.waitForFunction(() => document.querySelector("#error").textContent.includes("READ_CALLS"));
    assert.equal(await ops.page.locator("#login").isVisible(), true);
    await ops.context.close();
  });
});
