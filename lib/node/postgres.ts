/**
 * Starts and stops a throw-away PostgreSQL server (Debian's `postgresql` package:
 * `/usr/lib/postgresql/<version>/bin`) on 127.0.0.1, for tests and benchmarks of the indexer. The
 * cluster lives in a temporary folder, trusts loopback, skips fsync, and is deleted on stop.
 * PostgreSQL refuses to run as root: as root, the cluster is owned by and run as the `postgres`
 * account (or `ECP_PG_USER`) through `runuser`.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, readFileSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";

import { EveryChannelError } from "../errors";
import { freePort } from "./anvil";

export class PostgresError extends EveryChannelError {
  override name = "PostgresError";
}

/** The folder of `initdb` and `postgres`: `ECP_PG_BIN`, else the newest `/usr/lib/postgresql/<v>/bin`. */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ECP_PG_BIN !== undefined && env.ECP_PG_BIN !== "") return env.ECP_PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0)
    throw new PostgresError(
      "postgres: no server found in /usr/lib/postgresql/*/bin (install the Debian package postgresql, or set ECP_PG_BIN)",
    );
  return path.join(root, versions[0]!, "bin");
}

export interface StartPostgresReturnType {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  pid: number;
  /** Stops the server and deletes its cluster. Safe to call twice. */
  stop(): Promise<void>;
}

function account(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const name = process.env.ECP_PG_USER ?? "postgres";
  try {
    const uid = Number(execFileSync("id", ["-u", name]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", name]).toString().trim());
    return { name, uid, gid };
  } catch (cause) {
    throw new PostgresError(
      `postgres: running as root needs a non-root account to run the server; ${name} does not exist (set ECP_PG_USER)`,
      { name },
      { cause },
    );
  }
}

function command(
  user: { name: string } | undefined,
  bin: string,
  args: string[],
): [string, string[]] {
  return user === undefined ? [bin, args] : ["runuser", ["-u", user.name, "--", bin, ...args]];
}

/** Starts a fresh cluster on 127.0.0.1 and resolves once it accepts connections. */
export async function startPostgres(readyTimeoutMs = 30_000): Promise<StartPostgresReturnType> {
  const bin = postgresBinDir();
  const user = account();
  const dir = await mkdtemp(path.join(tmpdir(), "ecp-pg-"));
  const data = path.join(dir, "data");
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  const [initCmd, initArgs] = command(user, path.join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    "postgres",
    "-A",
    "trust",
    "-E",
    "UTF8",
    "--no-sync",
  ]);
  try {
    execFileSync(initCmd, initArgs, { stdio: "pipe" });
  } catch (cause) {
    await rm(dir, { recursive: true, force: true });
    const stderr = (cause as { stderr?: Buffer }).stderr?.toString().trim() ?? String(cause);
    throw new PostgresError(`postgres: initdb failed: ${stderr}`, { dir }, { cause });
  }
  const port = await freePort();
  const [cmd, args] = command(user, path.join(bin, "postgres"), [
    "-D",
    data,
    "-p",
    String(port),
    "-k",
    dir,
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "max_connections=200",
  ]);
  const child: ChildProcess = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // `runuser` does not pass signals on: signal the server itself (fast shutdown), by its pid file.
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      let pid = child.pid;
      try {
        pid = Number(readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0]);
      } catch {
        // not written yet: the direct child is the server or runuser
      }
      try {
        if (pid !== undefined) process.kill(pid, "SIGINT");
      } catch {
        // already gone
      }
      if (pid !== child.pid) child.kill("SIGINT");
    }
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new PostgresError(`postgres: exited before accepting connections: ${stderr.trim()}`);
    }
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return { url, port, pid: child.pid ?? -1, stop };
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await stop();
  throw new PostgresError(`postgres: no connection on ${url} within ${readyTimeoutMs} ms`);
}
