// The Telegram Mini App call page at /miniapp?launch=<token>: the button's launch token and Telegram's signed initData go to
// POST /api/call/bootstrap, which answers the call's socket; the call itself is the JavaScript client's (voice, barge-in,
// transcript). Every text from the server goes in with textContent, never as HTML.

import { SwitchboardClient, describeClose } from "/sdk/switchboard.js";

const $ = (selector) => document.querySelector(selector);
const ui = { status: $("#status"), call: $("#call"), mute: $("#mute"), hangup: $("#hangup"), error: $("#error"), transcript: $("#transcript") };
const webApp = globalThis.Telegram && globalThis.Telegram.WebApp;
const launchToken = new URLSearchParams(location.search).get("launch") || "";
const STATUS = {
  idle: "Tap to call",
  connecting: "Connecting…",
  connected: "Connected",
  listening: "Listening",
  thinking: "Thinking…",
  speaking: "Agent speaking",
  closed: "Call ended",
};

const page = { client: null, call: null, muted: false, ended: false, states: [], errors: [], closes: [] };

// For tests: what happened, read-only.
Object.defineProperty(window, "miniAppDebug", {
  value: Object.freeze({
    get state() { return ui.status.dataset.state; },
    get states() { return [...page.states]; },
    get errors() { return page.errors.map((e) => ({ ...e })); },
    get closes() { return page.closes.map((c) => ({ ...c })); },
    get call() { return page.call ? { sessionId: page.call.sessionId, threadId: page.call.threadId } : null; },
    get transcript() { return page.client ? page.client.transcript : []; },
    get stats() { return page.client ? page.client.stats : null; },
  }),
});

// Telegram Desktop keeps a first microphone refusal and Android asks on every getUserMedia (PROTOCOLS §4.6): ask once per
// page and hand each later request a clone of the same track, which the client may stop without losing the grant.
const media = navigator.mediaDevices;
if (media && typeof media.getUserMedia === "function") {
  const original = media.getUserMedia.bind(media);
  let granted = null;
  media.getUserMedia = async (constraints) => {
    if (!granted) {
      granted = original(constraints).catch((failure) => {
        granted = null;
        throw failure;
      });
    }

    return (await granted).clone();
  };
}

function applyTheme() {
  if (!webApp) {
    return;
  }

  const params = webApp.themeParams || {};
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === "string") {
      document.documentElement.style.setProperty(`--tg-theme-${name.replaceAll("_", "-")}`, value);
    }
  }
}

function setStatus(state, text) {
  ui.status.dataset.state = state;
  ui.status.textContent = text || STATUS[state] || state;
  page.states.push(state);
}

function showError(code, message) {
  page.errors.push({ code, message });
  ui.error.dataset.code = code;
  ui.error.textContent = message;
  ui.error.hidden = false;
}

function clearError() {
  ui.error.hidden = true;
  ui.error.dataset.code = "";
  ui.error.textContent = "";
}

function setLive(live) {
  ui.call.dataset.phase = live ? "live" : "idle";
  ui.call.setAttribute("aria-label", live ? "Hang up" : "Call");
  ui.mute.disabled = !live;
  ui.hangup.disabled = !live;
  if (webApp && typeof webApp.enableClosingConfirmation === "function") {
    live ? webApp.enableClosingConfirmation() : webApp.disableClosingConfirmation();
  }
}

function renderTurn(turn) {
  const id = `turn-${turn.itemId || turn.role + "-" + ui.transcript.children.length}`;
  let item = document.getElementById(id);
  if (!item) {
    item = document.createElement("li");
    item.id = id;
    ui.transcript.append(item);
  }

  item.dataset.role = turn.role === "user" || turn.role === "caller" ? "caller" : "agent";
  item.dataset.interrupted = turn.interrupted ? "true" : "false";
  item.textContent = turn.text;
}

async function bootstrap() {
  const response = await fetch("/api/call/bootstrap", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ launchToken, initData: webApp ? webApp.initData : "" }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw Object.assign(new Error(body.message || `the gateway answered ${response.status}`), { code: body.error || "bootstrap_failed" });
  }

  page.call = body;
  return { wsUrl: body.wsUrl, wsTokenExpiresIn: body.wsTokenExpiresIn };
}

async function post(path) {
  if (!page.call) {
    return;
  }

  await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sessionId: page.call.sessionId, callToken: page.call.callToken }),
    keepalive: true,
  }).catch(() => {});
}

async function startCall() {
  if (page.client) {
    return;
  }

  clearError();
  ui.transcript.replaceChildren();
  page.ended = false;
  page.muted = false;
  ui.mute.setAttribute("aria-pressed", "false");
  ui.mute.textContent = "Mute";
  // No reconnect: a launch token bootstraps once; a new call needs /call again.
  const client = new SwitchboardClient({ getSession: bootstrap, reconnect: false });
  page.client = client;
  client.on("state", (state) => setStatus(state));
  client.on("transcript", renderTurn);
  client.on("error", (error) => showError(error.code, error.message));
  client.on("closed", (closed) => {
    page.closes.push({ code: closed.code, reason: closed.reason });
    if (!closed.willReconnect) {
      endCall(closed.code === 1000 ? null : describeClose(closed.code, closed.reason));
    }
  });
  ui.call.dataset.phase = "connecting";
  setStatus("connecting");
  try {
    await client.connect();
    setLive(true);
    await client.startMicrophone();
  } catch (error) {
    if (error && error.code && !ui.error.textContent) {
      showError(error.code, error.message);
    }

    endCall(null);
  }
}

function endCall(message) {
  if (page.ended) {
    return;
  }

  page.ended = true;
  const client = page.client;
  page.client = null;
  setLive(false);
  setStatus(page.call ? "closed" : "idle", page.call ? STATUS.closed : STATUS.idle);
  if (message) {
    showError("closed", message);
  }

  client?.hangup();
  // Tell the gateway the page is done (idempotent): a call it never connected frees its slot at once.
  post("/api/call/finalize");
}

ui.call.addEventListener("click", () => (page.client ? hangUp() : startCall()));
ui.hangup.addEventListener("click", () => hangUp());
ui.mute.addEventListener("click", async () => {
  const client = page.client;
  if (!client) {
    return;
  }

  page.muted = !page.muted;
  ui.mute.setAttribute("aria-pressed", String(page.muted));
  ui.mute.textContent = page.muted ? "Unmute" : "Mute";
  if (page.muted) {
    client.stopMicrophone();
  } else {
    await client.startMicrophone().catch((error) => showError(error.code || "mic_failed", error.message));
  }
});

function hangUp() {
  page.client?.hangup();
}

applyTheme();
if (webApp) {
  webApp.ready();
  webApp.expand?.();
  webApp.onEvent?.("themeChanged", applyTheme);
}

if (!launchToken) {
  ui.call.disabled = true;
  showError("launch_token_invalid", "Open this page from the bot's Call button (send /call to the bot).");
}
