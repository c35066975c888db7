// Telegram stand-ins for the Mini App test: a fake Bot API on loopback speaking the real wire format (getMe, setMyCommands,
// deleteWebhook, getUpdates as a long poll, sendMessage recorded with its inline keyboard), initData signed as Telegram signs
// it (HMAC-SHA-256 keyed from the bot token), and a stub of telegram-web-app.js exposing Telegram.WebApp.

import crypto from "node:crypto";
import http from "node:http";
import { once } from "node:events";

export const BOT_TOKEN = "7000002:AAFakeBrowserTestToken_0123456789ab";

export async function startFakeBotApi(token = BOT_TOKEN) {
  const updates = [];
  const sent = [];
  const waiters = [];
  let nextUpdate = 500;
  let wake = () => {};

  const server = http.createServer(async (request, response) => {
    const chunks = [];
    for await (const chunk of request) {
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString("utf8");
    const body = text ? JSON.parse(text) : {};
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(request.url);
    const reply = (status, json) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(json));
    };
    if (!match || match[1] !== token) {
      return reply(401, { ok: false, error_code: 401, description: "Unauthorized" });
    }

    const ok = (result) => reply(200, { ok: true, result });
    switch (match[2]) {
      case "getMe":
        return ok({ id: 7000002, is_bot: true, first_name: "Browser Test", username: "browser_test_bot" });
      case "setMyCommands":
      case "deleteWebhook":
      case "setWebhook":
        return ok(true);
      case "getWebhookInfo":
        return ok({ url: "", has_custom_certificate: false, pending_update_count: 0 });
      case "sendMessage": {
        sent.push(body);
        waiters.splice(0).forEach((resolve) => resolve());
        return ok({ message_id: sent.length, date: Math.floor(Date.now() / 1000), chat: { id: body.chat_id, type: "private" }, text: body.text });
      }
      case "getUpdates": {
        const offset = body.offset || 0;
        const deadline = Date.now() + (body.timeout || 0) * 1000;
        for (;;) {
          const pending = updates.filter((u) => u.update_id >= offset);
          if (pending.length > 0 || Date.now() >= deadline || response.destroyed) {
            return ok(pending);
          }
          await new Promise((resolve) => {
            wake = resolve;
            setTimeout(resolve, Math.max(0, deadline - Date.now()));
          });
        }
      }
      default:
        return reply(404, { ok: false, error_code: 404, description: "Not Found" });
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const baseUrl = `http://127.0.0.1:${server.address().port}`;

  return {
    baseUrl,
    /** Queues a command from a user in their private chat. */
    command(userId, text) {
      updates.push({
        update_id: nextUpdate++,
        message: {
          message_id: nextUpdate,
          from: { id: userId, is_bot: false, first_name: "Tester" },
          chat: { id: userId, type: "private", first_name: "Tester" },
          date: Math.floor(Date.now() / 1000),
          text,
          entities: [{ type: "bot_command", offset: 0, length: text.length }],
        },
      });
      wake();
    },
    /** The next sendMessage body (waits up to timeoutMs). */
    async nextMessage(timeoutMs = 20000) {
      const seen = sent.length;
      const deadline = Date.now() + timeoutMs;
      while (sent.length <= seen) {
        if (Date.now() > deadline) {
          throw new Error("the bot sent no message");
        }
        await new Promise((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
      return sent[seen];
    },
    async stop() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** initData as Telegram signs it for a Mini App opened from the bot's button (PROTOCOLS §4.1). */
export function signInitData(token, userId, authDate = Math.floor(Date.now() / 1000)) {
  const fields = {
    auth_date: String(authDate),
    query_id: `AAH${userId}`,
    user: JSON.stringify({ id: userId, first_name: "Tester", username: "tester", language_code: "en" }),
  };
  const secret = crypto.createHmac("sha256", "WebAppData").update(token).digest();
  const check = Object.keys(fields).sort().map((k) => `${k}=${fields[k]}`).join("\n");
  const hash = crypto.createHmac("sha256", secret).update(check).digest("hex");
  return new URLSearchParams({ ...fields, hash }).toString();
}

/** The body of a stub telegram-web-app.js: Telegram.WebApp with initData, a theme and the calls the page makes. */
export function webAppStub(initData, themeParams) {
  return `window.Telegram = { WebApp: {
    initData: ${JSON.stringify(initData)},
    initDataUnsafe: {},
    themeParams: ${JSON.stringify(themeParams)},
    colorScheme: "dark",
    calls: [],
    ready() { this.calls.push("ready"); },
    expand() { this.calls.push("expand"); },
    onEvent() {},
    enableClosingConfirmation() { this.calls.push("enableClosingConfirmation"); },
    disableClosingConfirmation() { this.calls.push("disableClosingConfirmation"); },
  } };`;
}
