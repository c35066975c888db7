// Starts a real Switchboard gateway process (the Release build of the CLI: `Switchboard.Cli.dll serve`) on a free
// loopback port with its own temporary SQLite file and the local backend (no provider key), and stops it again.
// Mirrors bench/Switchboard.LoadGen/GatewayProcess.cs.

import { spawn, execFile } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const gatewayDll = path.join(repoRoot, "src", "Switchboard.Cli", "bin", "Release", "net10.0", "Switchboard.Cli.dll");

// Variables from the developer's shell that would change which backend, database or config the gateway uses.
const SCRUBBED = [
  "OPENAI_API_KEY", "OPENAI_REALTIME_URL", "OPENAI_REALTIME_MODEL", "OPENAI_VOICE",
  "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT",
  "TWILIO_AUTH_TOKEN", "TELNYX_STREAM_TOKEN", "SWITCHBOARD_PUBLIC_URL", "SWITCHBOARD_CONFIG",
  "SWITCHBOARD_POSTGRES", "SWITCHBOARD_LOCAL_MODE", "SWITCHBOARD_LOCAL_SCENARIO", "SWITCHBOARD_SESSION_KEY",
  "SWITCHBOARD_SERVER", "SWITCHBOARD_API_KEY",
  "TELEGRAM_BOT_TOKEN", "TELEGRAM_ALLOWED_USER_IDS", "TELEGRAM_ALLOWED_CHAT_IDS", "TELEGRAM_API_BASE_URL", "REALTIME_CONTROL_SECRET",
];

export async function freePort() {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  await once(server, "close");
  return port;
}

/**
 * @param {{ env?: Record<string, string> | ((baseUrl: string) => Record<string, string>), name?: string }} [options]
 *   env may be a function of the gateway's base URL (for settings that name the gateway itself, such as its public URL)
 */
export async function startGateway(options = {}) {
  if (!fs.existsSync(gatewayDll)) {
    throw new Error(`${gatewayDll} is missing: build first with 'dotnet build Switchboard.slnx -c Release'`);
  }

  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `switchboard-browser-${options.name || "gw"}-`));
  const env = { ...process.env };
  for (const name of SCRUBBED) {
    delete env[name];
  }

  const baseUrl = `http://127.0.0.1:${port}`;
  Object.assign(env, {
    SWITCHBOARD_BACKEND: "Local",
    SWITCHBOARD_STORAGE: "sqlite",
    SWITCHBOARD_SQLITE_PATH: path.join(dir, "switchboard.db"),
    Logging__LogLevel__Default: "Warning",
    DOTNET_CLI_TELEMETRY_OPTOUT: "1",
    DOTNET_NOLOGO: "1",
    ...(typeof options.env === "function" ? options.env(baseUrl) : options.env || {}),
  });

  const child = spawn("dotnet", [gatewayDll, "serve", "--urls", baseUrl], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  const lines = [];
  const remember = (chunk) => {
    for (const line of chunk.toString().split(/\r?\n/)) {
      if (line.trim() !== "") {
        lines.push(line);
        if (lines.length > 300) {
          lines.shift();
        }
      }
    }
  };
  child.stdout.on("data", remember);
  child.stderr.on("data", remember);
  let exited = null;
  child.on("exit", (code, signal) => {
    exited = { code, signal };
  });
  const killOnExit = () => {
    if (exited === null) {
      child.kill("SIGKILL");
    }
  };
  process.on("exit", killOnExit);

  const gateway = {
    baseUrl,
    port,
    dir,
    env,
    output: () => lines.join("\n"),
    get exited() {
      return exited;
    },
    /** Runs the CLI against the same database (for example `keys create`). */
    async cli(args) {
      const { stdout } = await execFileAsync("dotnet", [gatewayDll, ...args], { cwd: repoRoot, env, timeout: 60000 });
      return stdout;
    },
    async createAdminKey() {
      const stdout = await gateway.cli(["keys", "create", "--name", "browser-tests", "--scopes", "ADMIN", "--json"]);
      const key = JSON.parse(stdout).key;
      if (typeof key !== "string" || !key.startsWith("sb_")) {
        throw new Error(`keys create did not print a key: ${stdout}`);
      }
      return key;
    },
    /** GET/POST/PATCH against the gateway's REST API with a key; returns { status, body }. */
    async api(method, route, key, body) {
      const response = await fetch(baseUrl + route, {
        method,
        headers: { "X-API-Key": key, Accept: "application/json", ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = text;
      }
      return { status: response.status, body: parsed };
    },
    async stop() {
      process.off("exit", killOnExit);
      // Its log (warnings and errors) stays next to the screenshots, for a failure's post-mortem.
      const logDir = path.join(repoRoot, "artifacts", "browser");
      fs.mkdirSync(logDir, { recursive: true });
      fs.writeFileSync(path.join(logDir, `gateway-${options.name || "gw"}.log`), gateway.output() + "\n");
      if (exited === null) {
        // The first SIGTERM drains (exits at once when no call is live); a second one stops without waiting for calls.
        child.kill("SIGTERM");
        const again = setTimeout(() => child.kill("SIGTERM"), 3000);
        const timer = setTimeout(() => child.kill("SIGKILL"), 8000);
        await once(child, "exit").catch(() => {});
        clearTimeout(again);
        clearTimeout(timer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + 60000;
  for (;;) {
    if (exited !== null) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`the gateway exited (${JSON.stringify(exited)}) before answering /healthz:\n${gateway.output()}`);
    }

    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.status === 200) {
        break;
      }
    } catch {
      // not listening yet
    }

    if (Date.now() > deadline) {
      await gateway.stop();
      throw new Error(`the gateway did not answer ${baseUrl}/healthz with 200 within 60 s:\n${gateway.output()}`);
    }

    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  return gateway;
}
