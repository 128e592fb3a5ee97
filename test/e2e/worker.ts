import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Starts the real Worker with `wrangler dev` on a free loopback port, with its own fresh local state
 * (migrated and seeded with the demo tenant), for clients that must talk HTTP over a socket: the official
 * SDK, a browser, OpenAPI tooling.
 */
export interface RunningWorker {
  url: string;
  /** Process group of wrangler and the workerd it runs (bench/ reads their CPU time from /proc). */
  processGroup: number;
  /** The Worker's DevTools inspector (bench/profile.mjs takes CPU profiles through it). */
  inspectorPort: number;
  stop(): Promise<void>;
}

export const TEST_SECRETS = {
  PASSWORD_PEPPER: "e2e-pepper-0123456789abcdef0123456789",
  TOKEN_SIGNING_KEY: "e2e-token-signing-key-0123456789abcdef",
  ATTRIBUTE_ENCRYPTION_KEY: "e2e-attribute-encryption-key-0123456789abcdef",
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["wrangler", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`wrangler ${args.join(" ")} failed:\n${output}`))));
  });
}

async function waitUntilUp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${log()}`);
    try {
      const res = await fetch(`${url}/_health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev did not start within 60 s:\n${log()}`);
}

export interface StartOptions {
  /** A prepared local state (e.g. the benchmarks' seeded data) to start from: copied, never changed. */
  copyOf?: string;
  /** More `wrangler dev` arguments, e.g. `--minify=false` for readable CPU profiles. */
  devArgs?: string[];
}

export async function startWorker(extraVars: Record<string, string> = {}, options: StartOptions = {}): Promise<RunningWorker> {
  const state = mkdtempSync(join(tmpdir(), "user-edge-e2e-"));
  if (options.copyOf) cpSync(options.copyOf, state, { recursive: true });
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" };
  await run(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], env);
  await run(["d1", "execute", "DB", "--local", "--persist-to", state, "--file", "scripts/seed-demo.sql"], env);
  const port = await freePort();
  const inspectorPort = await freePort();
  const vars = { DEV_OUTBOX: "true", NOTIFY_TRANSPORT: "outbox", WEBHOOKS_ALLOW_LOOPBACK: "true", ...TEST_SECRETS, ...extraVars };
  const child = spawn(
    "npx",
    [
      // The XLSX converter Worker runs beside it (its service binding resolves to it).
      "wrangler", "dev", "-c", "wrangler.toml", "-c", "workers/xlsx/wrangler.toml", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state,
      "--inspector-port", String(inspectorPort), "--show-interactive-dev-session=false",
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
      ...(options.devArgs ?? []),
    ],
    { env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(url, child, () => output);
  return {
    url,
    processGroup: child.pid!,
    inspectorPort,
    async stop() {
      if (child.pid && child.exitCode === null) {
        process.kill(-child.pid, "SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      rmSync(state, { recursive: true, force: true });
    },
  };
}
