'use strict';
// Reference peer for Switchboard's load generator (bench/Switchboard.LoadGen --peer): the relay a team would write
// from Twilio's Node.js sample (one file, the `ws` package), so each run can put the gateway beside it.
//
//   carrier  ws://HOST:PORT/twilio  (Twilio Media Streams: connected, start, media, mark, stop)
//   backend  OPENAI_REALTIME_URL   (OpenAI Realtime GA: session.update, input_audio_buffer.append,
//                                   response.output_audio.delta, input_audio_buffer.speech_started)
//
// μ-law passes through untouched (base64 in, base64 out). Marks follow the agent's audio; on speech start the
// relay sends the carrier `clear` and the backend `conversation.item.truncate` at the position the caller heard.
//
// Environment (the load generator sets the same variables it gives the gateway):
//   OPENAI_REALTIME_URL   backend WebSocket URL (default wss://api.openai.com/v1/realtime)
//   OPENAI_API_KEY        sent as `Authorization: Bearer …` (required)
//   OPENAI_REALTIME_MODEL `model` query parameter when the URL has none (default gpt-realtime)
//   HOST, PORT            where to listen (default 127.0.0.1:8080)
//   MARK_INTERVAL_MS      a mark after the first delta of each item, then every N ms of agent audio (default 100,
//                         the gateway's Bridge:MarkIntervalMs); 0 = a mark after every delta, as Twilio's sample does
//   VOICE                 default alloy

const http = require('node:http');
const { WebSocket, WebSocketServer } = require('ws');

const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT || 8080);
const apiKey = process.env.OPENAI_API_KEY;
const markIntervalMs = Number(process.env.MARK_INTERVAL_MS ?? 100);
const voice = process.env.VOICE || 'alloy';
const instructions = 'You are a helpful voice assistant on a phone call.';

if (!apiKey) {
  console.error('OPENAI_API_KEY is required');
  process.exit(2);
}

if (!Number.isFinite(port) || port <= 0 || !Number.isFinite(markIntervalMs) || markIntervalMs < 0) {
  console.error('PORT must be a positive number and MARK_INTERVAL_MS zero or positive');
  process.exit(2);
}

const backendUrl = (() => {
  const url = new URL(process.env.OPENAI_REALTIME_URL || 'wss://api.openai.com/v1/realtime');
  if (!url.searchParams.has('model')) {
    url.searchParams.set('model', process.env.OPENAI_REALTIME_MODEL || 'gpt-realtime');
  }
  return url.toString();
})();

// Milliseconds of 8 kHz μ-law in a base64 string (one byte per sample, 8 samples per ms).
function mulawMs(base64) {
  let padding = 0;
  if (base64.endsWith('==')) padding = 2;
  else if (base64.endsWith('=')) padding = 1;
  return ((base64.length / 4) * 3 - padding) / 8;
}

function relay(carrier) {
  let streamSid = null;
  let latestMediaTimestamp = 0; // ms of caller audio the carrier has sent (its `media.timestamp`)
  let lastAssistantItem = null;
  let responseStartTimestamp = null; // caller timestamp when the current item's first audio went out
  let marksPending = 0; // marks sent and not yet echoed: agent audio the caller may not have heard yet
  let markCounter = 0;
  let msSinceMark = 0;
  let backendOpen = false;
  let stopped = false; // the carrier sent `stop`: the call ended normally
  const early = []; // carrier audio that arrived before the backend was open

  const backend = new WebSocket(backendUrl, { headers: { Authorization: `Bearer ${apiKey}` }, perMessageDeflate: false });

  const toBackend = (event) => {
    const text = JSON.stringify(event);
    if (backendOpen) backend.send(text);
    else early.push(text);
  };

  const toCarrier = (event) => {
    if (carrier.readyState === WebSocket.OPEN) carrier.send(JSON.stringify(event));
  };

  const sendMark = () => {
    markCounter += 1;
    marksPending += 1;
    msSinceMark = 0;
    toCarrier({ event: 'mark', streamSid, mark: { name: `m${markCounter}` } });
  };

  backend.on('open', () => {
    backendOpen = true;
    backend.send(JSON.stringify({
      type: 'session.update',
      session: {
        type: 'realtime',
        model: process.env.OPENAI_REALTIME_MODEL || 'gpt-realtime',
        output_modalities: ['audio'],
        instructions,
        audio: {
          input: { format: { type: 'audio/pcmu' }, turn_detection: { type: 'server_vad' } },
          output: { format: { type: 'audio/pcmu' }, voice },
        },
      },
    }));
    for (const text of early) backend.send(text);
    early.length = 0;
  });

  backend.on('message', (data) => {
    let event;
    try {
      event = JSON.parse(data);
    } catch {
      return;
    }

    switch (event.type) {
      case 'response.output_audio.delta': {
        if (!streamSid || typeof event.delta !== 'string') return;
        toCarrier({ event: 'media', streamSid, media: { payload: event.delta } });
        const first = event.item_id !== lastAssistantItem;
        if (responseStartTimestamp === null || first) responseStartTimestamp = latestMediaTimestamp;
        if (event.item_id) lastAssistantItem = event.item_id;
        msSinceMark += mulawMs(event.delta);
        if (first || markIntervalMs === 0 || msSinceMark >= markIntervalMs) sendMark();
        return;
      }
      case 'input_audio_buffer.speech_started': {
        // Barge-in: stop what the caller still has queued and tell the model where it was cut off.
        if (marksPending > 0 && responseStartTimestamp !== null) {
          if (lastAssistantItem) {
            toBackend({
              type: 'conversation.item.truncate',
              item_id: lastAssistantItem,
              content_index: 0,
              audio_end_ms: Math.max(0, latestMediaTimestamp - responseStartTimestamp),
            });
          }
          toCarrier({ event: 'clear', streamSid });
          marksPending = 0;
          msSinceMark = 0;
          lastAssistantItem = null;
          responseStartTimestamp = null;
        }
        return;
      }
      case 'error':
        console.error('backend error:', event.error && event.error.message);
        return;
      default:
        return;
    }
  });

  backend.on('close', () => {
    backendOpen = false;
    if (carrier.readyState === WebSocket.OPEN) {
      if (stopped) carrier.close(1000, 'call ended');
      else carrier.close(1011, 'backend closed');
    }
  });

  backend.on('error', (err) => {
    console.error('backend:', err.message);
  });

  carrier.on('message', (data) => {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      carrier.close(1007, 'malformed JSON');
      return;
    }

    switch (msg.event) {
      case 'media':
        latestMediaTimestamp = Number(msg.media.timestamp);
        toBackend({ type: 'input_audio_buffer.append', audio: msg.media.payload });
        return;
      case 'start':
        streamSid = msg.start.streamSid;
        latestMediaTimestamp = 0;
        responseStartTimestamp = null;
        return;
      case 'mark':
        if (marksPending > 0) marksPending -= 1;
        return;
      case 'stop':
        stopped = true;
        backend.close();
        return;
      default:
        return; // connected, dtmf
    }
  });

  carrier.on('close', () => {
    if (backend.readyState === WebSocket.OPEN || backend.readyState === WebSocket.CONNECTING) backend.terminate();
  });

  carrier.on('error', (err) => {
    console.error('carrier:', err.message);
  });
}

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    return;
  }
  res.writeHead(404);
  res.end();
});

const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  if (new URL(req.url, 'http://x').pathname !== '/twilio') {
    socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => relay(ws));
});

server.listen(port, host, () => {
  console.log(`peer-node relay on ws://${host}:${port}/twilio → ${backendUrl.replace(/\?.*/, '')}`);
});

const shutdown = () => server.close(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
