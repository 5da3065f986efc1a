/**
 * Starting the settlement indexer: writes the run configuration (`lib/indexer/config.ts`) and runs
 * `ponder start` on the Ponder app in `indexer/` as a child process, with PGlite in a data folder
 * by default or PostgreSQL when `DATABASE_URL` is set. The data folder is locked while an indexer
 * runs on it: two PGlite processes on one folder corrupt it. SIGINT and SIGTERM are forwarded.
 */
import { spawn, type ChildProcess } from "node:child_process";
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeSync,
} from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { createPublicClient, http } from "viem";

import { EveryChannelError, InvalidFieldError } from "../errors";
import {
  INDEXER_CONFIG_ENV,
  parseIndexerConfig,
  type IndexedContract,
  type IndexerConfig,
} from "./config";

/** The Ponder app's folder. */
export const INDEXER_APP_DIR = path.join(__dirname, "..", "..", "indexer");
/** Ponder's command-line entry point (the pinned `ponder` package; it exports no package.json). */
export const PONDER_BIN = path.join(
  __dirname,
  "..",
  "..",
  "node_modules",
  "ponder",
  "dist",
  "esm",
  "bin",
  "ponder.js",
);
/** PostgreSQL schema the indexer's tables live in unless `--schema` says otherwise. */
export const DEFAULT_SCHEMA = "every_channel";
export const DEFAULT_LISTEN = "127.0.0.1:42069";
/** Least `--heap` the indexer starts with: Ponder's build, PGlite and the API need about this. */
export const MIN_HEAP_MIB = 128;
export const MAX_HEAP_MIB = 1_048_576;
/**
 * `--heap` on PostgreSQL unless given: the Ponder process's memory stays flat (about 550 MiB over a
 * 100,000-observation backfill, at the same rate as with Node's 4 GiB; `reports/INDEXER.md`). On
 * PGlite the default stays Node's own limit: there a smaller row cache sends Ponder's reads to the
 * embedded database in the same thread and halves the backfill rate.
 */
export const DEFAULT_POSTGRES_HEAP_MIB = 512;

/** The heap `indexer:run` gives the indexer when `--heap` is not passed (undefined: Node's own). */
export function defaultHeapMiB(database: IndexerConfig["database"]["kind"]): number | undefined {
  return database === "postgres" ? DEFAULT_POSTGRES_HEAP_MIB : undefined;
}

export class IndexerRunError extends EveryChannelError {
  override name = "IndexerRunError";
}

/** `host:port` of `--listen`. */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^(\[[0-9a-fA-F:]+\]|[0-9A-Za-z.-]+):([0-9]{1,5})$/.exec(value);
  const port = match === null ? NaN : Number(match[2]);
  if (match === null || port < 1 || port > 65535)
    throw new InvalidFieldError("listen", value, "expected host:port, e.g. 127.0.0.1:42069");
  return { host: match[1]!.replace(/^\[|\]$/g, ""), port };
}

/** A PostgreSQL schema name Ponder accepts (at most 45 characters). */
export function parseSchemaName(value: string): string {
  if (!/^[a-z_][a-z0-9_]{0,44}$/.test(value) || value.startsWith("pg_"))
    throw new InvalidFieldError(
      "schema",
      value,
      "expected a PostgreSQL schema name of lower-case letters, digits and _ (at most 45, not pg_…)",
    );
  return value;
}

export interface IndexerDeployment {
  address: string;
  /** Block of the deployment transaction. */
  blockNumber: number;
}

export interface BuildIndexerConfigParameters {
  network: string;
  chainId: number;
  rpcUrl: string;
  deployments: Record<IndexedContract, IndexerDeployment>;
  /** Database: PostgreSQL when `databaseUrl` is given, else PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  pollingIntervalMs?: number;
  ethGetLogsBlockRange?: number;
  /** State rows the bulk backfill keeps in memory (default `DEFAULT_BULK_STATE_ROWS`). */
  bulkStateRows?: number;
}

export function buildIndexerConfig(parameters: BuildIndexerConfigParameters): IndexerConfig {
  const contract = (name: IndexedContract) => ({
    address: parameters.deployments[name].address,
    startBlock: parameters.deployments[name].blockNumber,
  });
  return parseIndexerConfig(
    {
      network: parameters.network,
      chainId: parameters.chainId,
      rpcUrl: parameters.rpcUrl,
      pollingIntervalMs: parameters.pollingIntervalMs ?? 1_000,
      ...(parameters.ethGetLogsBlockRange === undefined
        ? {}
        : { ethGetLogsBlockRange: parameters.ethGetLogsBlockRange }),
      ...(parameters.bulkStateRows === undefined
        ? {}
        : { bulkStateRows: parameters.bulkStateRows }),
      contracts: {
        EveryChannelWitnessRegistry: contract("EveryChannelWitnessRegistry"),
        EveryChannelObservationLedger: contract("EveryChannelObservationLedger"),
        EveryChannelRail: contract("EveryChannelRail"),
      },
      database:
        parameters.databaseUrl === undefined || parameters.databaseUrl === ""
          ? { kind: "pglite", directory: path.resolve(parameters.dataDir, "pglite") }
          : { kind: "postgres" },
    },
    "indexer configuration",
  );
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the data folder's lock (`indexer.lock`, the holder's pid); a dead holder's lock is taken over. */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, "indexer.lock");
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(readFileSync(file, "utf8").trim());
      if (Number.isInteger(holder) && holder > 0 && pidAlive(holder))
        throw new IndexerRunError(
          `data folder ${dataDir} is in use by indexer process ${holder}; stop it or pass another --data`,
          { dataDir, holder },
        );
      rmSync(file, { force: true });
    }
  }
  throw new IndexerRunError(`data folder ${dataDir}: cannot take its lock`, { dataDir });
}

/**
 * How the indexer backfills: `bulk` (default) indexes the finalized range before Ponder's first
 * event with the same handlers over an in-memory store and Ponder starts after it
 * (`indexer/src/bulk.ts`); `ponder` lets Ponder index everything event by event.
 */
export const BACKFILL_MODES = ["bulk", "ponder"] as const;
export type BackfillMode = (typeof BACKFILL_MODES)[number];

export function parseBackfillMode(value: string): BackfillMode {
  if (!(BACKFILL_MODES as readonly string[]).includes(value))
    throw new InvalidFieldError("backfill", value, `expected one of ${BACKFILL_MODES.join(", ")}`);
  return value as BackfillMode;
}

/**
 * The file in the data folder that records the bulk range a database was started with. Ponder
 * refuses a database started by another configuration, and the range is part of it (the contracts'
 * start blocks), so a database keeps its range for life; a fresh one gets the chain's `finalized`
 * block of its first start.
 */
export function bulkRangeFile(dataDir: string, config: IndexerConfig, schema: string): string {
  return path.join(
    dataDir,
    config.database.kind === "pglite"
      ? "bulk-range.pglite.json"
      : `bulk-range.postgres.${schema}.json`,
  );
}

/** Whether the database holds no indexer yet (no PGlite folder, or no `_ponder_meta` in the schema). */
async function databaseIsFresh(
  config: IndexerConfig,
  schema: string,
  databaseUrl: string | undefined,
): Promise<boolean> {
  if (config.database.kind === "pglite") {
    const dir = config.database.directory;
    return !existsSync(dir) || readdirSync(dir).length === 0;
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ meta: string | null }>(
      "SELECT to_regclass($1)::text AS meta",
      [`"${schema}"._ponder_meta`],
    );
    return rows[0]?.meta === null || rows[0]?.meta === undefined;
  } finally {
    await client.end();
  }
}

/**
 * The run's bulk range (`config.bulk`): for a fresh database in `bulk` mode, through the chain's
 * `finalized` block now, recorded in `bulkRangeFile` before Ponder starts; for a database that
 * exists, what that file recorded at its first start (none when it has no file: a database
 * started before bulk backfills, or with `--backfill ponder`).
 */
export async function chooseBulkRange(parameters: {
  config: IndexerConfig;
  dataDir: string;
  schema: string;
  databaseUrl?: string;
  mode: BackfillMode;
}): Promise<IndexerConfig["bulk"]> {
  const { config, dataDir, schema, mode } = parameters;
  const file = bulkRangeFile(dataDir, config, schema);
  if (!(await databaseIsFresh(config, schema, parameters.databaseUrl))) {
    if (!existsSync(file)) return undefined;
    const recorded = JSON.parse(readFileSync(file, "utf8")) as { throughBlock: number | null };
    return recorded.throughBlock === null ? undefined : { throughBlock: recorded.throughBlock };
  }
  let throughBlock: number | null = null;
  if (mode === "bulk") {
    const client = createPublicClient({ transport: http(config.rpcUrl) });
    const finalized = await client.getBlock({ blockTag: "finalized" }).catch((error: Error) => {
      throw new IndexerRunError(
        `indexer: cannot read the node's finalized block to choose the bulk range (${error.message.split("\n")[0]}); a node without a finalized block needs --backfill ponder`,
        { network: config.network },
      );
    });
    throughBlock = Number(finalized.number);
  }
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ throughBlock })}\n`);
  await rename(temporary, file);
  return throughBlock === null ? undefined : { throughBlock };
}

export interface StartIndexerParameters {
  config: IndexerConfig;
  /** Folder of the run configuration, the lock and (PGlite) the database. */
  dataDir: string;
  listen: { host: string; port: number };
  schema: string;
  /** PostgreSQL connection string (with `config.database.kind === "postgres"`). */
  databaseUrl?: string;
  /** Where Ponder's output goes (default: inherited). */
  output?: "inherit" | "pipe";
  /** Ponder's log level (default `info`). */
  logLevel?: "error" | "warn" | "info" | "debug";
  env?: NodeJS.ProcessEnv;
  /** Options of the Node.js process running Ponder, before its entry point (`--cpu-prof`, say). */
  nodeOptions?: readonly string[];
  /**
   * Most MiB of JavaScript heap for the Ponder process (`--max-old-space-size`); Ponder keeps a
   * fifth of it as its cache of table rows. Default: Node's own limit.
   */
  heapMiB?: number;
  /** The Ponder app (default `indexer/`; the bench runs another over the same configuration). */
  appDir?: string;
  /** `bulk` (default) or `ponder`; see `BackfillMode`. */
  backfill?: BackfillMode;
}

export interface RunningIndexer {
  child: ChildProcess;
  /** `http://host:port`. */
  url: string;
  /** Resolves with the exit status (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Sends `signal` (default SIGTERM) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Writes the configuration, takes the lock and starts `ponder start`. */
export async function startIndexer(parameters: StartIndexerParameters): Promise<RunningIndexer> {
  const { config, dataDir, listen, schema } = parameters;
  const appDir = parameters.appDir ?? INDEXER_APP_DIR;
  if (
    parameters.heapMiB !== undefined &&
    !(
      Number.isInteger(parameters.heapMiB) &&
      parameters.heapMiB >= MIN_HEAP_MIB &&
      parameters.heapMiB <= MAX_HEAP_MIB
    )
  )
    throw new InvalidFieldError(
      "heap",
      parameters.heapMiB,
      `must be whole MiB from ${MIN_HEAP_MIB} to ${MAX_HEAP_MIB}`,
    );
  if (config.database.kind === "postgres" && parameters.databaseUrl === undefined)
    throw new InvalidFieldError("DATABASE_URL", undefined, "needed for the postgres database");
  await mkdir(dataDir, { recursive: true });
  const release = lockDataDir(dataDir);
  const configFile = path.join(dataDir, "indexer.config.json");
  try {
    const bulk = await chooseBulkRange({
      config,
      dataDir,
      schema,
      ...(parameters.databaseUrl === undefined ? {} : { databaseUrl: parameters.databaseUrl }),
      mode: parameters.backfill ?? "bulk",
    });
    const run: IndexerConfig = { ...config, bulk };
    if (bulk === undefined) delete run.bulk;
    await writeFile(configFile, `${JSON.stringify(run, null, 2)}\n`);
  } catch (error) {
    release();
    throw error;
  }
  const env: NodeJS.ProcessEnv = {
    ...(parameters.env ?? process.env),
    [INDEXER_CONFIG_ENV]: configFile,
    PONDER_TELEMETRY_DISABLED: "true",
    PONDER_LOG_LEVEL: parameters.logLevel ?? "info",
  };
  delete env.DATABASE_PRIVATE_URL;
  if (config.database.kind === "postgres") env.DATABASE_URL = parameters.databaseUrl;
  else delete env.DATABASE_URL;
  const child = spawn(
    process.execPath,
    [
      ...(parameters.nodeOptions ?? []),
      ...(parameters.heapMiB === undefined ? [] : [`--max-old-space-size=${parameters.heapMiB}`]),
      PONDER_BIN,
      "--root",
      appDir,
      "start",
      "--schema",
      schema,
      "--port",
      String(listen.port),
      "--hostname",
      listen.host,
    ],
    {
      cwd: appDir,
      env,
      stdio: ["ignore", parameters.output ?? "inherit", parameters.output ?? "inherit"],
    },
  );
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      release();
      resolve(code);
    });
  });
  const host = listen.host.includes(":") ? `[${listen.host}]` : listen.host;
  return {
    child,
    url: `http://${host}:${listen.port}`,
    exited,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return await exited;
    },
  };
}

/** Polls `url/ready` until the backfill is complete (200), the process exits, or `timeoutMs` passes. */
export async function waitUntilReady(
  indexer: RunningIndexer,
  timeoutMs: number,
  path_ = "/ready",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void indexer.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new IndexerRunError(`indexer exited before ${path_} answered 200`);
    try {
      const response = await fetch(`${indexer.url}${path_}`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new IndexerRunError(`indexer: ${indexer.url}${path_} not ready within ${timeoutMs} ms`);
}
