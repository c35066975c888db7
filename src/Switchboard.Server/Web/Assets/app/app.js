// The talk page at "/": pick an agent endpoint and a mode, press Talk, see the live transcript.
// Every piece of text from the server or the agent goes into the page with textContent, never as HTML.

import { SwitchboardClient, describeClose } from "/sdk/switchboard.js";

const KEY_STORAGE = "switchboard.apiKey";
const VOICE_MODES = new Set(["voice_conversation", "browser_actions"]);
const MODE_LABELS = {
  voice_conversation: "Voice conversation",
  audio_playback: "Type, hear spoken answers",
  text: "Text chat",
  browser_actions: "Voice + page actions",
};
const STATE_LABELS = {
  closed: "Not connected",
  connecting: "Connecting…",
  connected: "Connected",
  idle: "Ready",
  listening: "Listening",
  thinking: "Thinking…",
  speaking: "Agent speaking",
};

const $ = (selector) => document.querySelector(selector);
const ui = {
  state: $("#state"),
  latency: $("#latency"),
  endpoint: $("#endpoint"),
  mode: $("#mode"),
  endpointHint: $("#endpoint-hint"),
  useKey: $("#use-key"),
  forgetKey: $("#forget-key"),
  keyForm: $("#key-form"),
  apiKey: $("#api-key"),
  endpointIdField: $("#endpoint-id-field"),
  endpointId: $("#endpoint-id"),
  error: $("#error"),
  errorText: $("#error .alert-text"),
  errorClose: $("#error .alert-close"),
  talk: $("#talk"),
  talkLabel: $("#talk .talk-label"),
  level: $("#level"),
  stopAgent: $("#stop-agent"),
  hangup: $("#hangup"),
  stageHint: $("#stage-hint"),
  transcript: $("#transcript"),
  transcriptEmpty: $("#transcript-empty"),
  textForm: $("#text-form"),
  textInput: $("#text-input"),
  send: $("#send"),
  banner: $("#banner"),
  bannerText: $("#banner .banner-text"),
  bannerClose: $("#banner .banner-close"),
};

const page = {
  demo: null, // the /demo/config answer when keyless sessions are on
  apiKey: readKey(),
  endpoints: [], // endpoints listed with the key
  client: null,
  muted: false,
  turnElements: new Map(),
  bannerTimer: 0,
  // For tests and curious people: read-only views of what happened (window.switchboardDebug).
  states: [],
  closes: [],
  errors: [],
  actions: [],
  lastStats: { playedMs: {} },
};

Object.defineProperty(window, "switchboardDebug", {
  value: Object.freeze({
    get state() { return ui.state.dataset.state; },
    get states() { return [...page.states]; },
    get closes() { return page.closes.map((c) => ({ ...c })); },
    get errors() { return page.errors.map((e) => ({ ...e })); },
    get actions() { return page.actions.map((a) => ({ ...a })); },
    get playedMs() { return { ...(page.client ? page.client.stats.playedMs : page.lastStats.playedMs) }; },
    get stats() { return page.client ? page.client.stats : { ...page.lastStats }; },
    get info() { return page.client ? page.client.info : null; },
    get transcript() { return page.client ? page.client.transcript : []; },
  }),
});

// ---------------------------------------------------------------------------------------------------------------
// start-up: demo config, then the key's endpoints

init();

async function init() {
  wireControls();
  renderMode();
  setState("closed");
  let demo = null;
  try {
    const response = await fetch("/demo/config", { headers: { Accept: "application/json" } });
    if (response.ok) {
      demo = await response.json();
    }
  } catch {
    showError("unreachable", `Cannot reach the gateway at ${location.host}. Is it running?`);
  }

  page.demo = demo && demo.enabled && demo.endpoint ? demo : null;
  if (page.apiKey) {
    await loadEndpoints();
  }

  renderEndpoints();
  if (!page.demo && !page.apiKey && demo) {
    ui.keyForm.hidden = false;
    showError("demo_off", "This gateway has no keyless demo (it runs a real AI backend, which costs money). Paste an API key to talk to one of your endpoints.", "info");
  }
}

function readKey() {
  try {
    return sessionStorage.getItem(KEY_STORAGE) || "";
  } catch {
    return "";
  }
}

function storeKey(key) {
  page.apiKey = key;
  try {
    if (key) {
      sessionStorage.setItem(KEY_STORAGE, key);
    } else {
      sessionStorage.removeItem(KEY_STORAGE);
    }
  } catch {
    // storage disabled: the key lives in memory only
  }
}

async function loadEndpoints() {
  page.endpoints = [];
  ui.endpointIdField.hidden = true;
  let response;
  try {
    response = await fetch("/api/v1/endpoints?limit=100", { headers: { "X-API-Key": page.apiKey, Accept: "application/json" } });
  } catch {
    showError("unreachable", `Cannot reach the gateway at ${location.host}. Is it running?`);
    return;
  }

  if (response.status === 401) {
    const detail = await problemDetail(response);
    storeKey("");
    ui.keyForm.hidden = false;
    showError("bad_key", `The API key was refused (${detail}). Paste a valid key.`);
    return;
  }

  if (response.status === 403) {
    // A key with CREATE_CALL_TOKEN only can start sessions but not list endpoints: ask for the id.
    ui.keyForm.hidden = false;
    ui.endpointIdField.hidden = false;
    showError("cannot_list", "This key cannot list endpoints (it needs READ_TEAM_APPS). Enter the endpoint id to talk to.", "info");
    return;
  }

  if (!response.ok) {
    showError("endpoints_failed", `Could not list endpoints: ${await problemDetail(response)} (HTTP ${response.status}).`);
    return;
  }

  const body = await response.json();
  page.endpoints = Array.isArray(body.endpoints) ? body.endpoints : [];
  if (page.endpoints.length === 0) {
    showError("no_endpoints", "This key's team has no endpoints yet. Create one with the API or `switchboard endpoints create`.", "info");
  }
}

function renderEndpoints() {
  const previous = ui.endpoint.value;
  ui.endpoint.replaceChildren();
  if (page.demo) {
    ui.endpoint.append(new Option(`${page.demo.endpoint.name} (local demo, no key)`, "demo"));
  }

  for (const endpoint of page.endpoints) {
    ui.endpoint.append(new Option(`${endpoint.name}${endpoint.isDefault ? " (default)" : ""}`, endpoint.id));
  }

  if (page.apiKey && !ui.endpointIdField.hidden) {
    ui.endpoint.append(new Option("the endpoint id below", "manual"));
  }

  if (ui.endpoint.options.length === 0) {
    ui.endpoint.append(new Option("No agent available", ""));
    ui.endpoint.disabled = true;
  } else {
    ui.endpoint.disabled = page.client !== null;
    const keep = [...ui.endpoint.options].some((o) => o.value === previous);
    if (keep) {
      ui.endpoint.value = previous;
    } else if (page.endpoints.length > 0 && !page.demo) {
      const fallback = page.endpoints.find((e) => e.isDefault) || page.endpoints[0];
      ui.endpoint.value = fallback.id;
    }
  }

  ui.forgetKey.hidden = !page.apiKey;
  ui.useKey.hidden = Boolean(page.apiKey) && ui.keyForm.hidden === false;
  renderModes();
}

/** The modes the selected endpoint allows (and the gateway runs). */
function allowedModes() {
  const target = ui.endpoint.value;
  if (target === "demo" && page.demo) {
    return page.demo.modes && page.demo.modes.length ? page.demo.modes : Object.keys(MODE_LABELS);
  }

  const endpoint = page.endpoints.find((e) => e.id === target);
  if (endpoint && Array.isArray(endpoint.modes)) {
    return endpoint.modes.filter((m) => m in MODE_LABELS);
  }

  return Object.keys(MODE_LABELS);
}

function renderModes() {
  const allowed = new Set(allowedModes());
  for (const option of ui.mode.options) {
    option.disabled = !allowed.has(option.value);
  }

  if (ui.mode.selectedOptions[0]?.disabled) {
    const first = [...ui.mode.options].find((o) => !o.disabled);
    if (first) {
      ui.mode.value = first.value;
    }
  }

  const target = ui.endpoint.value;
  if (target === "demo") {
    ui.endpointHint.textContent = "Local test agent: it echoes your voice back and labels turns like (2.1 s of speech). No key needed.";
  } else {
    const endpoint = page.endpoints.find((e) => e.id === target);
    ui.endpointHint.textContent = endpoint && endpoint.greeting ? `Greeting: “${endpoint.greeting}”` : "";
  }

  renderMode();
}

function renderMode() {
  const voice = VOICE_MODES.has(ui.mode.value);
  ui.stopAgent.hidden = ui.mode.value === "text";
  ui.talk.dataset.kind = voice ? "voice" : "text";
  ui.level.hidden = !voice;
  if (!page.client) {
    ui.talkLabel.textContent = voice ? "Talk" : "Start";
    ui.stageHint.textContent = voice
      ? "Press Talk and speak. The agent answers when you pause."
      : ui.mode.value === "text"
        ? "Press Start (or just send a message) to chat in text."
        : "Press Start (or just send a message): the agent answers out loud.";
  }
}

// ---------------------------------------------------------------------------------------------------------------
// controls

function wireControls() {
  ui.endpoint.addEventListener("change", renderModes);
  ui.mode.addEventListener("change", renderMode);
  ui.useKey.addEventListener("click", () => {
    ui.keyForm.hidden = !ui.keyForm.hidden;
    if (!ui.keyForm.hidden) {
      ui.apiKey.focus();
    }
  });
  ui.forgetKey.addEventListener("click", () => {
    storeKey("");
    page.endpoints = [];
    ui.apiKey.value = "";
    ui.endpointIdField.hidden = true;
    renderEndpoints();
  });
  ui.keyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = ui.apiKey.value.trim();
    if (!key) {
      return;
    }

    clearError();
    storeKey(key);
    await loadEndpoints();
    if (page.apiKey && ui.endpointIdField.hidden) {
      ui.keyForm.hidden = true;
    }

    renderEndpoints();
    if (ui.endpointIdField.hidden === false) {
      ui.endpoint.value = "manual";
      renderModes();
    }
  });
  ui.errorClose.addEventListener("click", clearError);
  ui.bannerClose.addEventListener("click", hideBanner);
  ui.talk.addEventListener("click", onTalk);
  ui.hangup.addEventListener("click", () => page.client?.hangup());
  ui.stopAgent.addEventListener("click", () => page.client?.interrupt());
  ui.textForm.addEventListener("submit", onSend);
}

async function onTalk() {
  const client = page.client;
  if (!client) {
    await startCall();
    return;
  }

  // In a voice call the big button mutes and unmutes the microphone.
  if (VOICE_MODES.has(client.info?.mode) && client.state !== "connecting") {
    if (client.microphoneActive) {
      client.stopMicrophone();
      page.muted = true;
    } else {
      page.muted = false;
      await client.startMicrophone().catch(() => {});
    }

    renderCall(client.state);
  }
}

async function onSend(event) {
  event.preventDefault();
  const text = ui.textInput.value.trim();
  if (!text) {
    return;
  }

  if (!page.client) {
    const ok = await startCall();
    if (!ok) {
      return;
    }
  }

  try {
    page.client.sendText(text);
    ui.textInput.value = "";
  } catch (error) {
    showError(error.code || "send_failed", `Could not send: ${error.message}`);
  }
}

/** Creates a session for the chosen endpoint and mode, connects, and starts the microphone in voice modes. */
async function startCall() {
  const mode = ui.mode.value;
  const target = ui.endpoint.value;
  if (!target) {
    showError("no_endpoint", "There is no agent to talk to: paste an API key first.");
    ui.keyForm.hidden = false;
    return false;
  }

  if (target === "manual" && !/^[0-9a-f-]{36}$/i.test(ui.endpointId.value.trim())) {
    showError("no_endpoint", "Enter the endpoint id (a UUID) to talk to.");
    return false;
  }

  clearError();
  hideBanner();
  clearTranscript();
  page.states = [];
  page.muted = false;
  const client = new SwitchboardClient({
    getSession: () => createSession(target, mode),
    inputSampleRate: 16000,
    audioOutput: mode !== "text",
    actions: { show_message: showMessageAction, open_url: openUrlAction },
  });
  page.client = client;
  client.on("state", (state) => {
    if (page.client === client) {
      setState(state);
      renderCall(state);
      if (state !== "connecting" && state !== "closed" && ui.error.dataset.code === "reconnecting") {
        clearError();
      }
    }
  });
  client.on("transcript", renderTurn);
  client.on("level", (level) => {
    // A gentle curve so normal speech fills most of the meter.
    const shown = level <= 0 ? 0 : Math.min(1, Math.sqrt(level * 4));
    document.documentElement.style.setProperty("--level", shown.toFixed(3));
    ui.level.setAttribute("aria-valuenow", String(Math.round(shown * 100)));
  });
  client.on("latency", renderLatency);
  client.on("error", (error) => {
    page.errors.push({ ...error });
    // Per-turn problems stay as notes; problems that stop the call get the alert.
    if (["too_many_pending", "invalid_text", "response_failed", "backend_error"].includes(error.code)) {
      addNote(`${error.code}: ${error.message}`);
    } else {
      showError(error.code, error.message);
    }
  });
  client.on("action", (action) => {
    page.actions.push({ ...action, at: Date.now() });
  });
  client.on("action_result", (result) => {
    const entry = page.actions.find((a) => a.actionId === result.actionId);
    if (entry) {
      entry.ok = result.ok;
      entry.result = result.result;
      entry.error = result.error;
    }

    addNote(result.ok ? `The agent used the page: ${result.name}` : `The agent asked for ${result.name}: ${result.error}`);
  });
  client.on("closed", (event) => {
    page.closes.push({ code: event.code, reason: event.reason, willReconnect: event.willReconnect });
    if (page.client !== client) {
      return;
    }

    ui.state.dataset.closeCode = String(event.code);
    if (event.willReconnect) {
      showError("reconnecting", `${event.message} Reconnecting…`, "info");
      return;
    }

    if (ui.error.dataset.code === "reconnecting") {
      clearError();
    }

    page.lastStats = client.stats;
    page.client = null;
    if (event.code !== 1000) {
      // The first cause wins: a mic or session error already shown says more than the close that followed it.
      if (ui.error.hidden || ui.error.dataset.severity === "info") {
        showError(closeErrorCode(event.code), event.message);
      }
    } else if (event.reason && event.reason !== "hangup" && event.reason !== "client closed") {
      showError("ended", describeClose(event.code, event.reason), "info");
    }

    setState("closed", event.code);
    renderCall("closed");
  });

  renderCall("connecting");
  try {
    await client.connect();
  } catch {
    if (page.client === client) {
      page.client = null;
      renderCall("closed");
    }
    return false; // the error event has said why
  }

  if (VOICE_MODES.has(mode)) {
    try {
      await client.startMicrophone();
    } catch {
      // mic_denied / mic_unavailable is on screen; a voice call without a microphone is pointless
      client.hangup();
      return false;
    }
  }

  if (!VOICE_MODES.has(mode)) {
    ui.textInput.focus();
  }

  return true;
}

async function createSession(target, mode) {
  let response;
  try {
    if (target === "demo") {
      response = await fetch("/demo/sessions", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ mode }),
      });
    } else {
      const endpointId = target === "manual" ? ui.endpointId.value.trim() : target;
      response = await fetch("/api/v1/sessions", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-API-Key": page.apiKey },
        body: JSON.stringify({ endpointId, mode }),
      });
    }
  } catch {
    throw coded("unreachable", `Cannot reach the gateway at ${location.host}. Is it running?`);
  }

  if (response.ok) {
    return response.json();
  }

  const detail = await problemDetail(response);
  if (response.status === 401) {
    storeKey("");
    ui.keyForm.hidden = false;
    renderEndpoints();
    throw coded("bad_key", `The API key was refused (${detail}). Paste a valid key.`);
  }

  if (response.status === 404 && target === "demo") {
    page.demo = null;
    renderEndpoints();
    ui.keyForm.hidden = false;
    throw coded("demo_off", "Keyless demo sessions are off on this gateway. Paste an API key to continue.");
  }

  if (response.status === 403) {
    throw coded("forbidden", `Not allowed: ${detail}`);
  }

  throw coded("session_failed", `Could not start a session: ${detail} (HTTP ${response.status}).`);
}

async function problemDetail(response) {
  try {
    const body = await response.json();
    return String(body.detail || body.title || response.statusText || "error");
  } catch {
    return response.statusText || "error";
  }
}

function coded(code, message) {
  return Object.assign(new Error(message), { code });
}

function closeErrorCode(code) {
  switch (code) {
    case 1006:
      return "unreachable";
    case 1011:
      return "backend_unavailable";
    default:
      return `close_${code}`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// browser actions

function showMessageAction(args) {
  const text = args && typeof args.text === "string" ? args.text.trim() : "";
  if (!text) {
    throw new Error("show_message needs a non-empty 'text'");
  }

  showBanner(text.slice(0, 500));
  return { shown: true };
}

function openUrlAction(args) {
  let url;
  try {
    url = new URL(String(args && args.url));
  } catch {
    throw new Error("open_url needs a valid absolute 'url'");
  }

  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`only http and https URLs are opened (refused ${url.protocol})`);
  }

  const opened = window.open(url.href, "_blank");
  if (!opened) {
    throw new Error("the browser blocked the new tab");
  }

  opened.opener = null;
  return { opened: true };
}

function showBanner(text) {
  ui.bannerText.textContent = text;
  ui.banner.hidden = false;
  clearTimeout(page.bannerTimer);
  page.bannerTimer = setTimeout(hideBanner, 10000);
}

function hideBanner() {
  ui.banner.hidden = true;
  clearTimeout(page.bannerTimer);
}

// ---------------------------------------------------------------------------------------------------------------
// rendering

function setState(state, closeCode) {
  ui.state.dataset.state = state;
  if (state !== "closed") {
    delete ui.state.dataset.closeCode;
  } else if (closeCode !== undefined) {
    ui.state.dataset.closeCode = String(closeCode);
  }

  let label = STATE_LABELS[state] || state;
  if (state === "idle" && page.client && VOICE_MODES.has(page.client.info?.mode)) {
    label = page.muted ? "Muted" : "Ready — speak";
  }

  if (state === "closed" && closeCode !== undefined) {
    label = closeCode === 1000 ? "Call ended" : `Closed (${closeCode})`;
  }

  ui.state.textContent = label;
  if (page.states[page.states.length - 1] !== state) {
    page.states.push(state);
  }
}

function renderCall(state) {
  const client = page.client;
  const live = client !== null && state !== "closed";
  const voice = live ? VOICE_MODES.has(client.info?.mode ?? ui.mode.value) : VOICE_MODES.has(ui.mode.value);
  ui.hangup.disabled = !live;
  ui.endpoint.disabled = live || ui.endpoint.options.length === 0 || !ui.endpoint.value;
  ui.mode.disabled = live;
  ui.stopAgent.hidden = ui.mode.value === "text"; // nothing to stop in a text chat
  ui.stopAgent.disabled = !live || !["thinking", "speaking"].includes(state);
  ui.talk.setAttribute("aria-pressed", String(live));
  document.body.classList.toggle("in-call", live);
  if (!live) {
    ui.talk.dataset.phase = "idle";
    ui.talk.disabled = false;
    document.documentElement.style.setProperty("--level", "0");
    renderMode();
    return;
  }

  if (state === "connecting") {
    ui.talk.dataset.phase = "connecting";
    ui.talkLabel.textContent = "Connecting…";
    ui.stageHint.textContent = "Starting a session…";
    return;
  }

  if (voice) {
    const muted = !client.microphoneActive && page.muted;
    ui.talk.dataset.phase = muted ? "muted" : "live";
    ui.talk.disabled = false;
    ui.talkLabel.textContent = muted ? "Unmute" : "Mute";
    ui.stageHint.textContent = muted ? "Microphone off. Press Unmute to speak." : {
      listening: "Listening…",
      thinking: "The agent is thinking…",
      speaking: "The agent is speaking. Talk over it to interrupt.",
    }[state] || "Speak now. Press Hang up when you are done.";
  } else {
    ui.talk.dataset.phase = "live";
    ui.talk.disabled = true;
    ui.talkLabel.textContent = "Live";
    ui.stageHint.textContent = state === "thinking" || state === "speaking" ? "The agent is answering…" : "Type a message below.";
  }
}

function renderTurn(turn) {
  let element = page.turnElements.get(turn.itemId);
  if (!element) {
    element = document.createElement("li");
    element.className = "turn";
    element.dataset.role = turn.role;
    element.dataset.itemId = turn.itemId;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = turn.role === "user" ? "You" : "Agent";
    const text = document.createElement("p");
    text.className = "text";
    const meta = document.createElement("span");
    meta.className = "meta";
    element.append(who, text, meta);
    page.turnElements.set(turn.itemId, element);
    ui.transcript.append(element);
    ui.transcriptEmpty.hidden = true;
  }

  element.querySelector(".text").textContent = turn.text;
  element.dataset.final = String(turn.final);
  element.classList.toggle("streaming", !turn.final);
  element.classList.toggle("interrupted", Boolean(turn.interrupted));
  element.querySelector(".meta").textContent = turn.interrupted
    ? `interrupted${typeof turn.heardMs === "number" ? ` · heard ${(turn.heardMs / 1000).toFixed(1)} s` : ""}`
    : "";
  scrollTranscript();
}

function addNote(text) {
  const note = document.createElement("li");
  note.className = "note";
  note.textContent = text;
  ui.transcript.append(note);
  ui.transcriptEmpty.hidden = true;
  scrollTranscript();
}

function scrollTranscript() {
  ui.transcript.scrollTop = ui.transcript.scrollHeight;
}

function clearTranscript() {
  ui.transcript.replaceChildren();
  page.turnElements.clear();
  ui.transcriptEmpty.hidden = false;
}

function renderLatency(latency) {
  const rtt = latency.rttMs == null ? "–" : `${latency.rttMs} ms`;
  const response = latency.responseMs == null ? "–" : `${latency.responseMs} ms`;
  ui.latency.textContent = `RTT ${rtt} · response ${response}`;
  ui.latency.dataset.rttMs = latency.rttMs == null ? "" : String(latency.rttMs);
  ui.latency.dataset.responseMs = latency.responseMs == null ? "" : String(latency.responseMs);
}

function showError(code, message, severity = "error") {
  ui.error.dataset.code = code || "error";
  ui.error.dataset.severity = severity;
  ui.errorText.textContent = message;
  ui.error.hidden = false;
}

function clearError() {
  ui.error.hidden = true;
  ui.error.dataset.code = "";
  ui.errorText.textContent = "";
}
