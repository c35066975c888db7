// Switchboard operations page: live calls, a live transcript, hang-up with a goodbye, today's usage, the node's health,
// recent refusals and failed webhooks. Plain ES module, no build step. The API key stays in this tab (sessionStorage)
// and goes as X-API-Key; the feed is read with fetch (server-sent events), since EventSource cannot send headers.

const KEY = "switchboard.ops.key";
const $ = (id) => document.getElementById(id);
const state = { key: sessionStorage.getItem(KEY) || "", selected: null, turns: new Map(), ended: new Map(), feed: null, timer: null };

function show(element, visible) {
  element.hidden = !visible;
}

function error(text) {
  $("error").textContent = text || "";
  show($("error"), Boolean(text));
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { "X-API-Key": state.key, Accept: "application/json", ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: response.status, json };
}

function duration(ms) {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function text(tag, content, attributes = {}) {
  const element = document.createElement(tag);
  element.textContent = content ?? "";
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, value);
  }
  return element;
}

function renderCalls(calls) {
  const body = $("calls");
  body.replaceChildren(...calls.map((call) => {
    const row = document.createElement("tr");
    row.dataset.callId = call.id;
    row.setAttribute("aria-selected", String(call.id === state.selected));
    row.append(text("td", call.channel), text("td", call.endpoint), text("td", call.caller || "—"),
      text("td", duration(call.durationMs)), text("td", call.state.replace("_", " "), { "data-state": call.state }),
      text("td", call.node || "this node"));
    row.addEventListener("click", () => select(call.id));
    return row;
  }));
  $("call-count").textContent = String(calls.length);
  show($("no-calls"), calls.length === 0);
  if (state.selected && !calls.some((c) => c.id === state.selected)) {
    $("selected").textContent = `${state.selected} (ended)`;
    $("hangup").disabled = true;
  }
}

function renderSummary(summary) {
  const node = $("node");
  node.dataset.status = summary.node.status;
  // With shared state the summary lists every node: a drained or lost one shows here whichever node serves the page.
  const cluster = summary.nodes ? ` · cluster: ${summary.nodes.map((n) => `${n.id} ${n.state} (${n.liveCalls})`).join(", ")}` : "";
  node.textContent = `node: ${summary.node.status}${summary.node.draining ? " (draining)" : ""} · ${summary.node.liveCalls} live${cluster}`;
  renderCalls(summary.calls);
  const u = summary.usage;
  const budget = (used, max, unit) => (max > 0 ? `${used} of ${max} ${unit} (${Math.round((100 * used) / max)} %)` : `${used} ${unit} (no budget)`);
  $("usage").replaceChildren(
    text("dt", "Call time"), text("dd", budget(u.callSeconds, u.maxDailyCallSeconds, "s"), { id: "usage-seconds" }),
    text("dt", "Cost"), text("dd", budget(u.costUsd, u.maxDailyCostUsd, "USD"), { id: "usage-cost" }));
  $("refusals").replaceChildren(...summary.refusals.map((r) => text("li", `${r.at.slice(11, 19)} ${r.channel} ${r.reason}${r.detail ? ": " + r.detail : ""}`)));
  $("webhooks").replaceChildren(...summary.webhookFailures.map((d) => text("li", `${d.createdAt.slice(11, 19)} ${d.eventType} after ${d.attempts} attempts: ${d.lastError || ""}`)));
}

async function refresh() {
  try {
    const { status, json } = await api("GET", "/api/v1/ops/summary");
    if (status === 401 || status === 403) {
      error(status === 401 ? "That API key is not valid." : "That API key lacks the READ_CALLS scope.");
      logout(false);
      return;
    }
    if (status !== 200) {
      throw new Error(`summary answered ${status}`);
    }
    error("");
    renderSummary(json);
  } catch (e) {
    $("node").dataset.status = "unreachable";
    $("node").textContent = "node: unreachable";
    error(String(e.message || e));
  }
}

function renderTranscript() {
  const turns = state.turns.get(state.selected) || [];
  $("transcript").replaceChildren(...turns.map((t) => {
    const line = text("div", "", { class: "turn", "data-role": t.role, "data-interrupted": String(Boolean(t.interrupted)) });
    line.append(text("span", t.role === "caller" ? "Caller" : "Agent", { class: "who" }), text("span", t.text));
    return line;
  }));
  $("transcript").scrollTop = $("transcript").scrollHeight;
}

async function select(callId) {
  state.selected = callId;
  $("selected").textContent = callId;
  $("hangup").disabled = false;
  $("hangup-status").textContent = "";
  for (const row of $("calls").children) {
    row.setAttribute("aria-selected", String(row.dataset.callId === callId));
  }
  // What was said before the page watched the call, then the feed appends.
  const { status, json } = await api("GET", `/api/v1/ops/calls/${encodeURIComponent(callId)}/transcript`);
  if (status === 200 && state.selected === callId) {
    const seen = state.turns.get(callId) || [];
    const stored = json.transcript.map((t) => ({ role: t.role === "agent" ? "agent" : "caller", text: t.text, interrupted: t.interrupted }));
    state.turns.set(callId, stored.length >= seen.length ? stored : seen);
  }
  renderTranscript();
}

function onFeedEvent(name, data) {
  if (name === "transcript") {
    const turns = state.turns.get(data.callId) || [];
    turns.push({ role: data.role, text: data.text, interrupted: data.interrupted });
    state.turns.set(data.callId, turns);
    if (data.callId === state.selected) {
      renderTranscript();
    }
  } else if (name === "call") {
    if (data.event === "ended") {
      state.ended.set(data.callId, data.reason);
      if (data.callId === state.selected) {
        $("hangup-status").textContent = `Call ended (${data.reason}).`;
      }
    }
    refresh();
  }
}

async function readFeed() {
  const controller = new AbortController();
  state.feed = controller;
  while (state.feed === controller) {
    try {
      const response = await fetch("/api/v1/ops/feed", { headers: { "X-API-Key": state.key, Accept: "text/event-stream" }, signal: controller.signal });
      if (!response.ok) {
        throw new Error(`feed answered ${response.status}`);
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let name = "message";
          let data = "";
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) {
              name = line.slice(7);
            } else if (line.startsWith("data: ")) {
              data += line.slice(6);
            }
          }
          if (data) {
            onFeedEvent(name, JSON.parse(data));
          }
        }
      }
    } catch (e) {
      if (controller.signal.aborted) {
        return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

async function hangUp(event) {
  event.preventDefault();
  const callId = state.selected;
  if (!callId) {
    return;
  }
  const say = $("goodbye").value.trim();
  $("hangup").disabled = true;
  const { status, json } = await api("POST", `/api/v1/calls/${encodeURIComponent(callId)}/hangup`,
    { reason: "hung up from the operations page", ...(say ? { say } : {}) });
  if (status === 202) {
    // The end may already have come through the feed while this request was answered.
    $("hangup-status").textContent = state.ended.has(callId) ? `Call ended (${state.ended.get(callId)}).` : "Hanging up after the goodbye…";
  } else {
    $("hangup").disabled = false;
    $("hangup-status").textContent = status === 403 ? "This key lacks the MANAGE_CALLS scope." : (json && json.detail) || `Hang-up answered ${status}.`;
  }
}

function start() {
  show($("login"), false);
  show($("board"), true);
  show($("logout"), true);
  refresh();
  state.timer = setInterval(refresh, 1000);
  readFeed();
}

function logout(clearError = true) {
  sessionStorage.removeItem(KEY);
  state.key = "";
  state.feed?.abort();
  state.feed = null;
  clearInterval(state.timer);
  show($("login"), true);
  show($("board"), false);
  show($("logout"), false);
  if (clearError) {
    error("");
  }
}

$("login").addEventListener("submit", (event) => {
  event.preventDefault();
  state.key = $("key").value.trim();
  sessionStorage.setItem(KEY, state.key);
  start();
});
$("logout").addEventListener("click", () => logout());
$("hangup-form").addEventListener("submit", hangUp);
if (state.key) {
  start();
}
