// Switchboard JavaScript client: talk to a Switchboard agent endpoint from a browser over /ws/session.
//
//   import { SwitchboardClient } from "https://<gateway>/sdk/switchboard.js";
//   const client = new SwitchboardClient({ getSession: async () => (await fetch("/my-backend/session", { method: "POST" })).json() });
//   client.on("transcript", (turn) => render(turn));
//   await client.connect();
//   await client.startMicrophone();
//
// No dependencies and no build step. The protocol is documented in docs/sessions.md, this API in docs/browser.md.

const WORKLETS_URL = new URL("./switchboard-worklets.js", import.meta.url);

/** The agent's audio is always PCM16 at 24 kHz. */
export const OUTPUT_SAMPLE_RATE = 24000;

/** Close codes after which the client may reconnect once (a network blip, a restarting gateway). */
export const RECONNECT_CODES = Object.freeze([1001, 1006, 1011, 4500]);

/** Close codes after which reconnecting with the same URL can never work. */
export const FINAL_CODES = Object.freeze([1000, 4000, 4001, 4003, 4429]);

const EVENTS = ["state", "status", "transcript", "chatbot", "action", "action_result", "error", "level", "latency", "closed", "message", "playback"];
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A sentence a person can act on for a WebSocket close code and reason (see the close-code table in
 * docs/sessions.md).
 * @param {number} code
 * @param {string} [reason]
 * @returns {string}
 */
export function describeClose(code, reason) {
  const why = typeof reason === "string" ? reason.trim() : "";
  switch (code) {
    case 1000:
      if (why === "" || why === "hangup") {
        return "The call ended.";
      }
      if (/maximum conversation duration/i.test(why)) {
        return "The call reached its maximum duration and was ended.";
      }
      if (/^conversation ended/i.test(why)) {
        return `The call ended: ${why.replace(/^conversation ended:?\s*/i, "")}.`;
      }
      return `The call ended (${why}).`;
    case 1001:
      return "The gateway is shutting down or restarting. Try again in a moment.";
    case 1006:
      return "The connection to the gateway was lost: the server is unreachable or the network dropped.";
    case 1009:
      return "A message was too large for the gateway, which closed the connection.";
    case 1011:
      return `The agent backend is unavailable${why ? ` (${why})` : ""}. Try again later.`;
    case 4000:
      return "This conversation was taken over by a newer connection (another tab or window). Only one connection per session is allowed.";
    case 4001:
      return `The connection link is incomplete${why ? ` (${why})` : ""}: it needs a sessionId and a token. Start a new conversation.`;
    case 4003:
      if (/token expired/i.test(why)) {
        return "The session token expired before it was used. Start a new conversation to get a fresh one.";
      }
      if (/session expired/i.test(why)) {
        return "This session has expired. Start a new conversation.";
      }
      return `The gateway refused this session${why ? ` (${why})` : ""}. Start a new conversation.`;
    case 4429:
      if (/^busy/i.test(why)) {
        return "All lines are busy right now. Try again in a moment.";
      }
      if (/^budget_exhausted/i.test(why)) {
        return "This service has reached its usage limit for today. Try again later.";
      }
      if (/^draining/i.test(why)) {
        return "The gateway is restarting. Try again in a moment.";
      }
      return `The gateway cannot take this conversation right now${why ? ` (${why})` : ""}. Try again later.`;
    case 4500:
      return "The gateway hit an internal error. Try again.";
    default:
      return `The connection closed (code ${code}${why ? `, ${why}` : ""}).`;
  }
}

/**
 * A browser client for one Switchboard session at a time.
 *
 * Events (client.on(name, handler) returns a function that removes the handler):
 * - state: "connecting" | "connected" | "listening" | "thinking" | "speaking" | "idle" | "closed"
 * - status: the raw payload of each server `status` message
 * - transcript: { role, text, final, itemId, interrupted, heardMs } — the merged turn (deltas accumulated, finals replace)
 * - action: { actionId, name, arguments } — the agent asks the page to act (handled by `actions`)
 * - action_result: { actionId, name, ok, result?, error? } — what was sent back
 * - error: { code, message, backendCode? }
 * - level: number, the microphone RMS 0..1 of each sent piece (0 when the microphone stops)
 * - latency: { kind: "rtt" | "response", ms, rttMs, responseMs }
 * - playback: { itemId, playedMs, final, interrupted } — each report sent to the gateway
 * - closed: { code, reason, message, willReconnect }
 * - message: every server message, as parsed
 */
export class SwitchboardClient {
  #options;
  #handlers = new Map();
  #actions = new Map();
  #ws = null;
  #session = null;
  #lifecycle = "closed"; // closed | connecting | open
  #serverState = null;
  #state = "closed";
  #info = null;
  #closing = false;
  #everConnected = false;
  #reconnectsLeft = 0;
  #openedAt = 0;
  #pendingOpen = null;
  #timers = { ping: 0, playback: 0, connect: 0, hangup: 0, reconnect: 0 };
  #pingSentAt = 0;
  #rttMs = null;
  #responseMs = null;
  #turnEndAt = null;
  #lastLoudAt = 0;
  #turns = [];
  #turnsById = new Map();
  // playback
  #player = null; // { context, node, ready }
  #playing = new Set();
  #played = new Map(); // itemId -> ms rendered so far
  #reported = new Map(); // itemId -> last playedMs sent
  #finished = new Set(); // items that ended or were interrupted: late audio is dropped
  #stopRequests = new Map();
  #stopId = 0;
  #underruns = 0;
  // microphone
  #mic = null; // { stream, context, source, node, sink }
  #micStarting = null;

  /**
   * @param {object} options
   * @param {() => Promise<{ wsUrl: string, wsTokenExpiresIn?: number }>} options.getSession fetches a new session
   *   (from the app's own backend, which calls POST /api/v1/sessions with its API key)
   * @param {16000 | 24000} [options.inputSampleRate] microphone rate sent to the gateway (default 16000)
   * @param {Record<string, (args: object, action: object) => any>} [options.actions] browser action handlers by name
   * @param {boolean} [options.audioOutput] play agent audio (default true; false for text-only pages)
   * @param {boolean} [options.reconnect] reconnect once after a network blip within the token's life (default true)
   * @param {number} [options.chunkMs] microphone piece length, 20–100 ms (default 40)
   * @param {number} [options.prebufferMs] audio buffered before an agent item starts playing (default 80)
   * @param {number} [options.pingIntervalMs] ping period for the round-trip measurement (default 5000)
   * @param {number} [options.playbackReportMs] playback report period while playing (default 200)
   * @param {number} [options.connectTimeoutMs] time allowed from opening the socket to the `connected` status (default 10000)
   */
  constructor(options = {}) {
    if (!options || typeof options.getSession !== "function") {
      throw new TypeError("SwitchboardClient: options.getSession is required (an async function returning { wsUrl, wsTokenExpiresIn })");
    }

    this.#options = {
      inputSampleRate: 16000,
      audioOutput: true,
      reconnect: true,
      chunkMs: 40,
      prebufferMs: 80,
      pingIntervalMs: 5000,
      playbackReportMs: 200,
      connectTimeoutMs: 10000,
      ...options,
    };
    if (this.#options.inputSampleRate !== 16000 && this.#options.inputSampleRate !== 24000) {
      throw new RangeError("SwitchboardClient: inputSampleRate must be 16000 or 24000");
    }

    this.#options.chunkMs = Math.min(100, Math.max(20, Number(this.#options.chunkMs) || 40));
    for (const [name, handler] of Object.entries(options.actions || {})) {
      this.handleAction(name, handler);
    }
  }

  /** Current state: connecting, connected, listening, thinking, speaking, idle or closed. */
  get state() {
    return this.#state;
  }

  /** The first `status` payload of the connection (mode, callId, endpointId, audio), or null. */
  get info() {
    return this.#info ? { ...this.#info } : null;
  }

  /** The conversation so far, oldest first: copies of the merged turns. */
  get transcript() {
    return this.#turns.map((turn) => ({ ...turn }));
  }

  /** Whether the microphone is capturing. */
  get microphoneActive() {
    return this.#mic !== null;
  }

  /** Counters for meters and tests: played ms per item, round-trip and response latency, underruns. */
  get stats() {
    return {
      playedMs: Object.fromEntries(this.#played),
      playing: this.#playing.size > 0,
      rttMs: this.#rttMs,
      responseMs: this.#responseMs,
      underruns: this.#underruns,
    };
  }

  /**
   * Listen to an event (see the class comment). Returns a function that removes the handler.
   * @param {string} event
   * @param {(value: any) => void} handler
   */
  on(event, handler) {
    if (!EVENTS.includes(event)) {
      throw new RangeError(`SwitchboardClient: unknown event '${event}' (known: ${EVENTS.join(", ")})`);
    }

    if (!this.#handlers.has(event)) {
      this.#handlers.set(event, new Set());
    }

    this.#handlers.get(event).add(handler);
    return () => this.off(event, handler);
  }

  off(event, handler) {
    this.#handlers.get(event)?.delete(handler);
  }

  /**
   * Register (or with null remove) the handler of a browser action. It receives the action's arguments and may
   * return a value or a promise; a throw or rejection is sent as { ok: false, error }.
   */
  handleAction(name, handler) {
    if (handler == null) {
      this.#actions.delete(name);
    } else if (typeof handler !== "function") {
      throw new TypeError(`SwitchboardClient: the handler of action '${name}' must be a function`);
    } else {
      this.#actions.set(name, handler);
    }
  }

  /**
   * Fetch a session and connect. Resolves when the gateway has accepted the connection (`status connected`);
   * rejects with an Error whose `code` says why otherwise. Call it from a click handler, so audio may start.
   */
  async connect() {
    if (this.#lifecycle !== "closed") {
      throw Object.assign(new Error("already connected or connecting"), { code: "already_connected" });
    }

    this.#closing = false;
    this.#everConnected = false;
    this.#reconnectsLeft = this.#options.reconnect ? 1 : 0;
    this.#turns = [];
    this.#turnsById.clear();
    this.#played.clear();
    this.#reported.clear();
    this.#finished.clear();
    this.#turnEndAt = null;
    this.#info = null;
    this.#serverState = null;
    this.#lifecycle = "connecting";
    this.#updateState();
    // Created inside the user's gesture so that the browser lets it play.
    if (this.#options.audioOutput) {
      this.#ensurePlayer();
    }

    let session;
    try {
      session = await this.#options.getSession();
    } catch (error) {
      const code = error && typeof error.code === "string" ? error.code : "session_failed";
      const message = error && error.message ? error.message : String(error);
      this.#fail(code, message);
      throw Object.assign(new Error(message), { code });
    }

    if (this.#closing) {
      this.#finishClose();
      throw Object.assign(new Error("hung up while connecting"), { code: "hung_up" });
    }

    if (!session || typeof session.wsUrl !== "string" || !/^wss?:\/\//.test(session.wsUrl)) {
      const message = "getSession() must resolve to an object with a ws:// or wss:// wsUrl";
      this.#fail("invalid_session", message);
      throw Object.assign(new Error(message), { code: "invalid_session" });
    }

    const ttl = Number(session.wsTokenExpiresIn);
    this.#session = {
      wsUrl: session.wsUrl,
      // The token admits new connections until then (a margin for the clock and the round trip).
      tokenValidUntil: Date.now() + (Number.isFinite(ttl) && ttl > 0 ? ttl : 300) * 1000 - 2000,
    };
    return this.#open();
  }

  /** Start capturing the microphone and streaming it (voice modes). Rejects with code mic_denied and others. */
  async startMicrophone() {
    if (this.#mic) {
      return;
    }

    if (this.#micStarting) {
      return this.#micStarting;
    }

    this.#micStarting = this.#startMicrophone().finally(() => {
      this.#micStarting = null;
    });
    return this.#micStarting;
  }

  /** Stop capturing and release the microphone. */
  stopMicrophone() {
    const mic = this.#mic;
    this.#mic = null;
    if (!mic) {
      return;
    }

    try {
      mic.node.port.postMessage({ type: "stop" });
      mic.source.disconnect();
      mic.node.disconnect();
    } catch {
      // already disconnected
    }

    for (const track of mic.stream.getTracks()) {
      track.stop();
    }

    mic.context.close().catch(() => {});
    this.#emit("level", 0);
  }

  /** Send a typed user turn. */
  sendText(text) {
    const value = typeof text === "string" ? text.trim() : "";
    if (value === "") {
      throw new TypeError("sendText: the text must not be empty");
    }

    if (!this.#send("text", { text: value })) {
      throw Object.assign(new Error("not connected"), { code: "not_connected" });
    }

    this.#turnEndAt = performance.now();
  }

  /**
   * Stop the agent now: playback stops at once, queued audio is dropped, and the gateway is told how much of the
   * item was heard (`interrupt`), so it truncates the agent's memory there.
   */
  async interrupt() {
    const stopped = await this.#stopPlayback();
    const item = stopped.find((entry) => entry.started) || stopped[0];
    if (item) {
      this.#send("interrupt", { itemId: item.itemId, playedMs: item.playedMs });
    } else if (this.#serverState === "thinking" || this.#serverState === "speaking") {
      this.#send("interrupt", {});
    }
  }

  /** End the conversation: the gateway closes with 1000 `hangup`. */
  hangup() {
    this.#closing = true;
    this.stopMicrophone();
    if (this.#lifecycle === "closed") {
      return;
    }

    if (!this.#send("hangup", {})) {
      this.#closeSocket(1000, "hangup");
      return;
    }

    clearTimeout(this.#timers.hangup);
    this.#timers.hangup = setTimeout(() => this.#closeSocket(1000, "hangup"), 3000);
  }

  /** Close the connection without a hangup message (the gateway records `client_closed`). */
  close() {
    this.#closing = true;
    this.stopMicrophone();
    this.#closeSocket(1000, "client closed");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // connection

  #open() {
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new WebSocket(this.#session.wsUrl);
      } catch (error) {
        this.#fail("invalid_session", `cannot open ${this.#session.wsUrl}: ${error.message}`);
        reject(Object.assign(new Error(error.message), { code: "invalid_session" }));
        return;
      }

      this.#ws = ws;
      this.#lifecycle = "connecting";
      this.#updateState();
      this.#pendingOpen = { resolve, reject };
      clearTimeout(this.#timers.connect);
      this.#timers.connect = setTimeout(() => {
        if (this.#ws === ws && this.#pendingOpen) {
          this.#emit("error", { code: "connect_timeout", message: "The gateway did not accept the connection in time." });
          this.#reconnectsLeft = 0;
          try {
            ws.close(1000, "connect timeout");
          } catch {
            // ignore
          }
        }
      }, this.#options.connectTimeoutMs);
      ws.onmessage = (event) => {
        if (this.#ws === ws) {
          this.#onMessage(event.data);
        }
      };
      ws.onclose = (event) => {
        if (this.#ws === ws) {
          this.#onClose(event.code, event.reason);
        }
      };
    });
  }

  #onConnected(payload) {
    this.#info = { ...payload };
    this.#lifecycle = "open";
    this.#everConnected = true;
    this.#openedAt = Date.now();
    this.#serverState = "connected";
    clearTimeout(this.#timers.connect);
    this.#updateState();
    clearInterval(this.#timers.ping);
    this.#timers.ping = setInterval(() => this.#ping(), this.#options.pingIntervalMs);
    setTimeout(() => this.#ping(), 200);
    clearInterval(this.#timers.playback);
    this.#timers.playback = setInterval(() => this.#reportPlayback(), this.#options.playbackReportMs);
    const pending = this.#pendingOpen;
    this.#pendingOpen = null;
    pending?.resolve(this.info);
  }

  #onClose(code, reason) {
    this.#ws = null;
    clearTimeout(this.#timers.connect);
    clearTimeout(this.#timers.hangup);
    clearInterval(this.#timers.ping);
    clearInterval(this.#timers.playback);
    this.#dropPlayback();
    // A connection that stayed up for a while earns its reconnect back.
    if (this.#everConnected && this.#openedAt && Date.now() - this.#openedAt > 10000 && this.#options.reconnect) {
      this.#reconnectsLeft = 1;
    }

    const willReconnect = !this.#closing && this.#everConnected && this.#reconnectsLeft > 0
      && RECONNECT_CODES.includes(code) && this.#session !== null && Date.now() < this.#session.tokenValidUntil;
    const pending = this.#pendingOpen;
    this.#pendingOpen = null;
    this.#emit("closed", { code, reason: reason || "", message: describeClose(code, reason), willReconnect });
    if (willReconnect) {
      this.#reconnectsLeft--;
      this.#lifecycle = "connecting";
      this.#serverState = null;
      this.#updateState();
      clearTimeout(this.#timers.reconnect);
      this.#timers.reconnect = setTimeout(() => {
        if (this.#closing) {
          this.#finishClose();
          return;
        }

        this.#open().catch(() => {});
      }, 500);
      pending?.reject(Object.assign(new Error(describeClose(code, reason)), { code: `closed_${code}`, closeCode: code }));
      return;
    }

    this.#finishClose();
    pending?.reject(Object.assign(new Error(describeClose(code, reason)), { code: `closed_${code}`, closeCode: code, reason }));
  }

  #finishClose() {
    this.stopMicrophone();
    // Release the audio device; the next connect() creates a new context inside its click.
    const player = this.#player;
    this.#player = null;
    this.#playing.clear();
    for (const resolve of this.#stopRequests.values()) {
      resolve([]);
    }
    this.#stopRequests.clear();
    player?.context.close().catch(() => {});
    this.#lifecycle = "closed";
    this.#serverState = null;
    this.#updateState();
  }

  #fail(code, message) {
    this.#emit("error", { code, message });
    this.#finishClose();
  }

  #closeSocket(code, reason) {
    const ws = this.#ws;
    if (!ws) {
      if (this.#lifecycle !== "closed") {
        clearTimeout(this.#timers.reconnect);
        this.#finishClose();
      }

      return;
    }

    try {
      ws.close(code, reason);
    } catch {
      // already closing
    }
  }

  #send(type, payload) {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || this.#lifecycle !== "open") {
      return false;
    }

    ws.send(JSON.stringify({ type, payload }));
    return true;
  }

  #ping() {
    if (this.#send("ping", {})) {
      this.#pingSentAt = performance.now();
    }
  }

  #onMessage(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return; // the gateway only sends JSON; ignore anything else
    }

    if (!message || typeof message.type !== "string") {
      return;
    }

    const payload = message.payload && typeof message.payload === "object" ? message.payload : {};
    this.#emit("message", message);
    switch (message.type) {
      case "status":
        this.#onStatus(payload);
        break;
      case "transcript":
        this.#onTranscript(payload);
        break;
      case "audio":
        this.#onAudio(payload);
        break;
      case "audio_done":
        if (typeof payload.itemId === "string" && !this.#finished.has(payload.itemId)) {
          this.#toPlayer({ type: "done", itemId: payload.itemId });
        }
        break;
      case "interrupt":
        this.#onServerInterrupt(payload);
        break;
      case "action":
        this.#onAction(payload);
        break;
      case "chatbot":
        // An external chatbot's message (text mode; voice modes hear it spoken instead).
        this.#emit("chatbot", { text: String(payload.text || ""), itemId: String(payload.itemId || ""), streamId: String(payload.streamId || "") });
        break;
      case "error":
        this.#emit("error", {
          code: String(payload.code || "error"),
          message: String(payload.message || ""),
          ...(payload.backendCode ? { backendCode: String(payload.backendCode) } : {}),
        });
        break;
      case "pong":
        if (this.#pingSentAt) {
          this.#rttMs = Math.round(performance.now() - this.#pingSentAt);
          this.#pingSentAt = 0;
          this.#emit("latency", { kind: "rtt", ms: this.#rttMs, rttMs: this.#rttMs, responseMs: this.#responseMs });
        }
        break;
      default:
        break;
    }
  }

  #onStatus(payload) {
    this.#emit("status", { ...payload });
    const state = payload.state;
    if (state === "connected") {
      this.#onConnected(payload);
      return;
    }

    if (typeof state !== "string") {
      return;
    }

    const previous = this.#serverState;
    this.#serverState = state;
    if (state === "thinking" && previous === "listening") {
      // End of the user's speech: the last loud microphone piece, when the gateway's VAD saw it recently.
      const now = performance.now();
      this.#turnEndAt = this.#lastLoudAt && now - this.#lastLoudAt < 3000 ? this.#lastLoudAt : now;
    }

    this.#updateState();
  }

  #onTranscript(payload) {
    if (typeof payload.itemId !== "string" || typeof payload.text !== "string") {
      return;
    }

    let turn = this.#turnsById.get(payload.itemId);
    if (!turn) {
      turn = { role: payload.role === "user" ? "user" : "agent", text: "", final: false, itemId: payload.itemId, interrupted: false, heardMs: null };
      this.#turnsById.set(payload.itemId, turn);
      this.#turns.push(turn);
    }

    if (payload.final) {
      turn.text = payload.text;
      turn.final = true;
    } else if (!turn.final) {
      turn.text += payload.text;
    }

    if (payload.interrupted) {
      turn.interrupted = true;
      turn.heardMs = typeof payload.heardMs === "number" ? payload.heardMs : turn.heardMs;
    }

    // Without audio (text mode) the answer's first words are the response.
    if (turn.role === "agent" && this.#turnEndAt !== null && !this.#expectsAudio()) {
      this.#recordResponse();
    }

    this.#emit("transcript", { ...turn });
  }

  #expectsAudio() {
    return this.#options.audioOutput && this.#info !== null && this.#info.mode !== "text";
  }

  #recordResponse() {
    if (this.#turnEndAt === null) {
      return;
    }

    this.#responseMs = Math.max(0, Math.round(performance.now() - this.#turnEndAt));
    this.#turnEndAt = null;
    this.#emit("latency", { kind: "response", ms: this.#responseMs, rttMs: this.#rttMs, responseMs: this.#responseMs });
  }

  #updateState() {
    let state;
    if (this.#lifecycle !== "open") {
      state = this.#lifecycle;
    } else if (this.#serverState === "listening") {
      state = "listening";
    } else if (this.#playing.size > 0) {
      state = "speaking"; // the gateway may be done generating while the page still plays
    } else if (this.#serverState === "speaking") {
      state = "speaking";
    } else {
      state = this.#serverState || "connected";
    }

    if (state !== this.#state) {
      this.#state = state;
      this.#emit("state", state);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // actions

  async #onAction(payload) {
    const actionId = typeof payload.actionId === "string" ? payload.actionId : null;
    const name = typeof payload.name === "string" ? payload.name : "";
    const args = payload.arguments && typeof payload.arguments === "object" ? payload.arguments : {};
    if (!actionId) {
      return;
    }

    this.#emit("action", { actionId, name, arguments: args });
    const handler = this.#actions.get(name);
    let answer;
    if (!handler) {
      answer = { actionId, ok: false, error: `this page does not perform the action '${name}'` };
    } else {
      try {
        const result = await handler(args, { actionId, name });
        answer = { actionId, ok: true, ...(result === undefined ? {} : { result }) };
      } catch (error) {
        answer = { actionId, ok: false, error: error && error.message ? error.message : String(error) };
      }
    }

    this.#send("action_result", answer);
    this.#emit("action_result", { name, ...answer });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // playback

  #ensurePlayer() {
    if (this.#player) {
      if (this.#player.context.state === "suspended") {
        this.#player.context.resume().catch(() => {});
      }
      return this.#player;
    }

    const Context = globalThis.AudioContext || globalThis.webkitAudioContext;
    if (!Context) {
      this.#emit("error", { code: "audio_unsupported", message: "This browser cannot play audio (no Web Audio)." });
      return null;
    }

    let context;
    try {
      context = new Context({ sampleRate: OUTPUT_SAMPLE_RATE, latencyHint: "interactive" });
    } catch {
      context = new Context({ latencyHint: "interactive" }); // the player worklet resamples
    }

    const player = { context, node: null, ready: null };
    player.ready = (async () => {
      if (!context.audioWorklet) {
        throw Object.assign(new Error("AudioWorklet needs a secure context (https or localhost)"), { code: "audio_unsupported" });
      }

      await context.audioWorklet.addModule(WORKLETS_URL);
      const node = new AudioWorkletNode(context, "switchboard-player", {
        numberOfInputs: 0,
        numberOfOutputs: 1,
        outputChannelCount: [1],
        processorOptions: { sourceRate: OUTPUT_SAMPLE_RATE, prebufferMs: this.#options.prebufferMs },
      });
      node.port.onmessage = (event) => this.#onPlayerMessage(event.data);
      node.connect(context.destination);
      player.node = node;
      if (context.state === "suspended") {
        await context.resume().catch(() => {});
      }
      return node;
    })();
    player.ready.catch((error) => {
      // A player closed while its module was loading (the call ended first) is not a failure.
      if (this.#player === player) {
        this.#emit("error", { code: error.code || "audio_unsupported", message: `Cannot play audio: ${error.message}` });
      }
    });
    this.#player = player;
    return player;
  }

  #toPlayer(message, transfer) {
    if (!this.#options.audioOutput || this.#lifecycle === "closed") {
      return;
    }

    const player = this.#ensurePlayer();
    if (!player) {
      return;
    }

    if (player.node) {
      player.node.port.postMessage(message, transfer || []);
    } else {
      player.ready.then((node) => node.port.postMessage(message, transfer || []), () => {});
    }
  }

  #onAudio(payload) {
    const itemId = payload.itemId;
    if (typeof itemId !== "string" || typeof payload.audio !== "string" || this.#finished.has(itemId) || !this.#options.audioOutput) {
      return;
    }

    let bytes;
    try {
      bytes = base64ToBytes(payload.audio);
    } catch {
      this.#emit("error", { code: "invalid_audio", message: "The gateway sent audio that is not base64." });
      return;
    }

    const pcm = bytesToInt16(bytes);
    if (!this.#played.has(itemId)) {
      this.#played.set(itemId, 0);
    }
    this.#toPlayer({ type: "push", itemId, pcm: pcm.buffer }, [pcm.buffer]);
  }

  #onPlayerMessage(message) {
    switch (message.type) {
      case "start":
        this.#playing.add(message.itemId);
        if (this.#turnEndAt !== null) {
          this.#recordResponse();
        }
        this.#updateState();
        break;
      case "progress":
        this.#played.set(message.itemId, samplesToMs(message.played));
        this.#underruns = message.underruns;
        break;
      case "ended": {
        const playedMs = samplesToMs(message.played);
        this.#played.set(message.itemId, playedMs);
        this.#playing.delete(message.itemId);
        this.#finished.add(message.itemId);
        this.#reported.delete(message.itemId);
        this.#sendPlayback({ itemId: message.itemId, playedMs }, true, false);
        this.#updateState();
        break;
      }
      case "stopped": {
        const items = message.items.map((entry) => ({ itemId: entry.itemId, playedMs: samplesToMs(entry.played), started: entry.started }));
        for (const entry of items) {
          this.#played.set(entry.itemId, entry.playedMs);
          this.#finished.add(entry.itemId);
          this.#reported.delete(entry.itemId);
        }
        this.#playing.clear();
        this.#updateState();
        const resolve = this.#stopRequests.get(message.id);
        this.#stopRequests.delete(message.id);
        resolve?.(items);
        break;
      }
      default:
        break;
    }
  }

  #reportPlayback() {
    for (const itemId of this.#playing) {
      const playedMs = this.#played.get(itemId) ?? 0;
      if (this.#reported.get(itemId) !== playedMs) {
        this.#sendPlayback({ itemId, playedMs }, false, false);
      }
    }
  }

  #sendPlayback(report, final, interrupted) {
    const payload = interrupted ? { ...report, interrupted: true } : { ...report };
    if (this.#send("playback", payload)) {
      this.#reported.set(report.itemId, report.playedMs);
      this.#emit("playback", { ...report, final, interrupted });
    }
  }

  /** Stops the player now; resolves with how far each unfinished item got. */
  #stopPlayback() {
    const player = this.#player;
    if (!player || !player.node) {
      return Promise.resolve([]);
    }

    // From now on, audio of every item the player holds is stale: drop it here, before the worklet even answers.
    for (const itemId of this.#played.keys()) {
      this.#finished.add(itemId);
    }

    const id = ++this.#stopId;
    return new Promise((resolve) => {
      this.#stopRequests.set(id, resolve);
      player.node.port.postMessage({ type: "stop", id });
      // The audio thread answers within a render quantum; never hang if the context is suspended.
      setTimeout(() => {
        if (this.#stopRequests.delete(id)) {
          resolve([]);
        }
      }, 500);
    });
  }

  async #onServerInterrupt(payload) {
    const itemId = typeof payload.itemId === "string" ? payload.itemId : null;
    if (itemId) {
      this.#finished.add(itemId); // audio of this item still in flight is dropped
    }

    const stopped = await this.#stopPlayback();
    if (!itemId) {
      return;
    }

    const entry = stopped.find((item) => item.itemId === itemId);
    const playedMs = entry ? entry.playedMs : this.#played.get(itemId) ?? 0;
    this.#played.set(itemId, playedMs);
    this.#sendPlayback({ itemId, playedMs }, true, true);
  }

  #dropPlayback() {
    if (this.#player && this.#player.node) {
      this.#player.node.port.postMessage({ type: "stop", id: 0 });
    }
    this.#playing.clear();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // microphone

  async #startMicrophone() {
    const media = globalThis.navigator && navigator.mediaDevices;
    if (!media || typeof media.getUserMedia !== "function") {
      const error = { code: "mic_unavailable", message: "This page cannot use a microphone here: browsers allow it only on https:// pages or http://localhost." };
      this.#emit("error", error);
      throw Object.assign(new Error(error.message), { code: error.code });
    }

    let stream;
    try {
      stream = await media.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 } });
    } catch (failure) {
      const name = failure && failure.name;
      const error = name === "NotAllowedError" || name === "SecurityError"
        ? { code: "mic_denied", message: "Microphone access was denied. Allow the microphone for this site (the icon in the address bar) and press Talk again." }
        : name === "NotFoundError" || name === "OverconstrainedError"
          ? { code: "mic_unavailable", message: "No microphone was found. Connect one and press Talk again." }
          : name === "NotReadableError"
            ? { code: "mic_unavailable", message: "The microphone is in use by another application or could not be opened." }
            : { code: "mic_unavailable", message: `The microphone could not be started (${failure && failure.message ? failure.message : name || "unknown error"}).` };
      this.#emit("error", error);
      throw Object.assign(new Error(error.message), { code: error.code });
    }

    if (this.#closing || this.#lifecycle === "closed") {
      stream.getTracks().forEach((track) => track.stop());
      return;
    }

    const Context = globalThis.AudioContext || globalThis.webkitAudioContext;
    const rate = this.#options.inputSampleRate;
    let context;
    let source;
    try {
      context = new Context({ sampleRate: rate, latencyHint: "interactive" });
      source = context.createMediaStreamSource(stream);
    } catch {
      // Some browsers cannot connect a microphone to a context at another rate: capture at the device's rate and
      // let the worklet resample.
      context?.close().catch(() => {});
      context = new Context({ latencyHint: "interactive" });
      source = context.createMediaStreamSource(stream);
    }

    try {
      await context.audioWorklet.addModule(WORKLETS_URL);
    } catch (failure) {
      stream.getTracks().forEach((track) => track.stop());
      context.close().catch(() => {});
      const error = { code: "audio_unsupported", message: `Cannot process microphone audio: ${failure.message}` };
      this.#emit("error", error);
      throw Object.assign(new Error(error.message), { code: error.code });
    }

    const node = new AudioWorkletNode(context, "switchboard-capture", {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: { targetRate: rate, chunkMs: this.#options.chunkMs },
    });
    // A silent sink keeps the graph pulling the capture node in every browser.
    const sink = context.createGain();
    sink.gain.value = 0;
    source.connect(node);
    node.connect(sink);
    sink.connect(context.destination);
    node.port.onmessage = (event) => this.#onCapture(event.data, rate);
    if (context.state === "suspended") {
      await context.resume().catch(() => {});
    }

    this.#mic = { stream, context, source, node, sink };
    for (const track of stream.getAudioTracks()) {
      track.addEventListener("ended", () => {
        if (this.#mic && this.#mic.stream === stream) {
          this.stopMicrophone();
          this.#emit("error", { code: "mic_ended", message: "The microphone stopped (unplugged or disabled)." });
        }
      });
    }
  }

  #onCapture(message, rate) {
    if (!message || message.type !== "chunk" || !this.#mic) {
      return;
    }

    if (message.rms > 0.02) {
      this.#lastLoudAt = performance.now();
    }

    this.#emit("level", Math.min(1, message.rms));
    const bytes = new Uint8Array(message.pcm);
    if (!LITTLE_ENDIAN) {
      swapBytes(bytes);
    }

    this.#send("audio", { audio: bytesToBase64(bytes), sampleRate: rate });
  }

  // ---------------------------------------------------------------------------------------------------------------

  #emit(event, value) {
    const handlers = this.#handlers.get(event);
    if (!handlers) {
      return;
    }

    for (const handler of [...handlers]) {
      try {
        handler(value);
      } catch (error) {
        // A broken handler must not break the conversation.
        setTimeout(() => {
          throw error;
        });
      }
    }
  }
}

function samplesToMs(samples) {
  return Math.floor((samples * 1000) / OUTPUT_SAMPLE_RATE);
}

function bytesToBase64(bytes) {
  let binary = "";
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + step));
  }

  return btoa(binary);
}

function base64ToBytes(base64) {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }

  return bytes;
}

function bytesToInt16(bytes) {
  const count = bytes.length >> 1;
  const pcm = new Int16Array(count);
  if (LITTLE_ENDIAN) {
    pcm.set(new Int16Array(bytes.buffer, bytes.byteOffset, count));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
    for (let i = 0; i < count; i++) {
      pcm[i] = view.getInt16(i * 2, true);
    }
  }

  return pcm;
}

function swapBytes(bytes) {
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    const b = bytes[i];
    bytes[i] = bytes[i + 1];
    bytes[i + 1] = b;
  }
}
