// Switchboard AudioWorklet processors, loaded by switchboard.js with audioContext.audioWorklet.addModule().
//
// switchboard-capture: microphone -> 16-bit PCM at the target rate, posted in fixed pieces with their RMS level.
// switchboard-player:  agent PCM queue -> speakers, counting the samples actually rendered per item.
//
// Both run on the audio thread: no allocation in the steady state of process() beyond the posted chunks.

/* global sampleRate, registerProcessor, AudioWorkletProcessor */

class SwitchboardCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = (options && options.processorOptions) || {};
    this.targetRate = o.targetRate || 16000;
    this.chunk = Math.max(1, Math.round((this.targetRate * (o.chunkMs || 40)) / 1000));
    // Input samples per output sample (1 when the context already runs at the target rate).
    this.step = sampleRate / this.targetRate;
    // A moving average over `width` input samples keeps most of the aliasing out when downsampling.
    this.width = this.step > 1.01 ? Math.round(this.step) : 1;
    this.history = new Float64Array(this.width);
    this.historyIndex = 0;
    this.historySum = 0;
    this.t = 1; // position of the next output sample: 0 = previous input sample, 1 = current one
    this.previous = 0;
    this.buffer = new Int16Array(this.chunk);
    this.filled = 0;
    this.sumSquares = 0;
    this.running = true;
    this.port.onmessage = (event) => {
      if (event.data && event.data.type === "stop") {
        this.running = false;
      }
    };
  }

  emit(y) {
    const clamped = y > 1 ? 1 : y < -1 ? -1 : y;
    this.buffer[this.filled++] = clamped < 0 ? clamped * 32768 : clamped * 32767;
    this.sumSquares += clamped * clamped;
    if (this.filled === this.chunk) {
      const rms = Math.sqrt(this.sumSquares / this.chunk);
      const pcm = this.buffer.buffer;
      this.port.postMessage({ type: "chunk", pcm, rms }, [pcm]);
      this.buffer = new Int16Array(this.chunk);
      this.filled = 0;
      this.sumSquares = 0;
    }
  }

  process(inputs) {
    if (!this.running) {
      return false;
    }

    const input = inputs[0];
    if (!input || input.length === 0 || !input[0]) {
      return true;
    }

    const left = input[0];
    const right = input.length > 1 ? input[1] : null;
    for (let i = 0; i < left.length; i++) {
      let x = right ? (left[i] + right[i]) * 0.5 : left[i];
      if (this.width > 1) {
        this.historySum += x - this.history[this.historyIndex];
        this.history[this.historyIndex] = x;
        this.historyIndex = (this.historyIndex + 1) % this.width;
        x = this.historySum / this.width;
      }

      while (this.t <= 1) {
        this.emit(this.previous + (x - this.previous) * this.t);
        this.t += this.step;
      }

      this.t -= 1;
      this.previous = x;
    }

    return true;
  }
}

class SwitchboardPlayer extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = (options && options.processorOptions) || {};
    this.sourceRate = o.sourceRate || 24000;
    // Source samples per rendered sample (1 when the context runs at 24 kHz, as the client asks for).
    this.step = this.sourceRate / sampleRate;
    this.prebuffer = Math.round((this.sourceRate * (o.prebufferMs == null ? 80 : o.prebufferMs)) / 1000);
    this.queue = []; // { itemId, data: Float32Array } in arrival order
    this.position = 0; // fractional read position in queue[0], in source samples
    this.items = new Map(); // itemId -> { received, played, done, started, buffering }
    this.stopped = new Set(); // items cut by a stop: their late audio is ignored
    this.current = null;
    this.progressEvery = Math.round(sampleRate * 0.05);
    this.sinceProgress = 0;
    this.lastReported = -1;
    this.underruns = 0;
    this.port.onmessage = (event) => this.onMessage(event.data);
  }

  item(itemId) {
    let state = this.items.get(itemId);
    if (!state) {
      state = { received: 0, played: 0, done: false, started: false, buffering: true };
      this.items.set(itemId, state);
    }

    return state;
  }

  onMessage(message) {
    if (!message) {
      return;
    }

    switch (message.type) {
      case "push": {
        if (this.stopped.has(message.itemId)) {
          break;
        }

        const state = this.item(message.itemId);
        const pcm = new Int16Array(message.pcm);
        const data = new Float32Array(pcm.length);
        for (let i = 0; i < pcm.length; i++) {
          data[i] = pcm[i] / 32768;
        }

        this.queue.push({ itemId: message.itemId, data });
        state.received += data.length;
        break;
      }
      case "done": {
        const state = this.item(message.itemId);
        state.done = true;
        this.maybeEnd(message.itemId, state);
        break;
      }
      case "stop": {
        // Barge-in: drop everything queued and say exactly how far each unfinished item got.
        const items = [];
        for (const [itemId, state] of this.items) {
          items.push({ itemId, played: state.played, started: state.started });
          this.stopped.add(itemId);
        }

        if (this.stopped.size > 256) {
          this.stopped = new Set([...this.stopped].slice(-64));
        }

        this.items.clear();
        this.queue = [];
        this.position = 0;
        this.current = null;
        this.port.postMessage({ type: "stopped", id: message.id, items });
        break;
      }
      default:
        break;
    }
  }

  maybeEnd(itemId, state) {
    if (state.done && state.played >= state.received && (state.started || state.received === 0)) {
      this.items.delete(itemId);
      if (this.current === itemId) {
        this.current = null;
      }

      this.port.postMessage({ type: "ended", itemId, played: state.played });
    }
  }

  process(_inputs, outputs) {
    const output = outputs[0];
    const out = output[0];
    let i = 0;
    while (i < out.length) {
      const segment = this.queue[0];
      if (!segment) {
        // Underrun (or nothing to play): silence, and the played position does not move.
        if (this.current !== null) {
          const state = this.items.get(this.current);
          if (state && !state.done && !state.buffering) {
            state.buffering = true;
            this.underruns++;
          }
        }

        break;
      }

      const state = this.items.get(segment.itemId);
      if (!state) {
        // Dropped by a stop that raced with this push.
        this.queue.shift();
        this.position = 0;
        continue;
      }

      if (state.buffering) {
        if (state.received - state.played < this.prebuffer && !state.done) {
          break; // a small pre-buffer before starting (or resuming) an item
        }

        state.buffering = false;
        if (!state.started) {
          state.started = true;
          this.current = segment.itemId;
          this.lastReported = -1;
          this.port.postMessage({ type: "start", itemId: segment.itemId });
        }
      }

      const data = segment.data;
      const before = Math.floor(this.position);
      while (i < out.length && this.position < data.length) {
        const index = this.position | 0;
        const fraction = this.position - index;
        const a = data[index];
        const b = index + 1 < data.length ? data[index + 1] : a;
        out[i++] = a + (b - a) * fraction;
        this.position += this.step;
      }

      state.played += Math.min(Math.floor(this.position), data.length) - before;
      if (this.position >= data.length) {
        this.queue.shift();
        this.position -= data.length;
        if (this.queue.length === 0 || this.queue[0].itemId !== segment.itemId) {
          this.position = 0;
        }

        this.maybeEnd(segment.itemId, state);
      }
    }

    for (; i < out.length; i++) {
      out[i] = 0;
    }

    for (let c = 1; c < output.length; c++) {
      output[c].set(out);
    }

    this.sinceProgress += out.length;
    if (this.sinceProgress >= this.progressEvery) {
      this.sinceProgress = 0;
      if (this.current !== null) {
        const state = this.items.get(this.current);
        if (state && state.played !== this.lastReported) {
          this.lastReported = state.played;
          this.port.postMessage({ type: "progress", itemId: this.current, played: state.played, underruns: this.underruns });
        }
      }
    }

    return true;
  }
}

registerProcessor("switchboard-capture", SwitchboardCapture);
registerProcessor("switchboard-player", SwitchboardPlayer);
