/**
 * setup-rollup: from one chain configuration, drives op-deployer (bootstrap for a devnet, init,
 * apply, inspect genesis, inspect rollup), records the deployment and writes every service's
 * configuration. Each step is skipped when its result is already there, and a file is written only
 * when its content changes, so a second run with nothing changed runs no `init`/`apply` and writes
 * nothing. With `dryRun` it prints every command and every file instead and touches nothing.
 *
 * Secrets are read from files at the moment a command needs them and handed to op-deployer through
 * the environment (`DEPLOYER_PRIVATE_KEY`, `L1_RPC_URL`, the variables its flags answer to), never
 * on its command line and never printed.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";

import { EveryChannelError } from "../errors";
import { intentOverlayToml, mergeIntent, type BootstrapAddresses } from "./intent";
import { chainIdHash, OP_STACK_SERVICES, type RollupConfig } from "./rollup-config";
import {
  buildServices,
  checkPrestate,
  DISPUTE_SERVICES,
  renderFlags,
  unpinnedImageLines,
  type ChainAddresses,
} from "./services";

/** A step failed; `shortMessage` names the command or file and the problem. */
export class SetupRollupError extends EveryChannelError {
  override name = "SetupRollupError";
}

export interface SetupRollupParameters {
  config: RollupConfig;
  /** The op-deployer executable (a path, or a name on PATH). */
  opDeployer: string;
  dryRun: boolean;
  /** Receives every line of the report. */
  log: (line: string) => void;
  /** Base environment of op-deployer (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

export interface SetupRollupReturnType {
  /** Files written (created or changed). */
  written: string[];
  /** op-deployer invocations, as argument lists. */
  ran: string[][];
  /** The dispute path's state. */
  prestate: ReturnType<typeof checkPrestate>["state"];
}

/** A value handed to op-deployer through its environment: inline, or read from a secrets file. */
type EnvValue = { value: string } | { secretFile: string; check: (text: string) => string | null };

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;
const checkKey = (text: string): string | null =>
  PRIVATE_KEY.test(text) ? null : "does not hold one 0x-prefixed 32-byte hex private key";
const checkUrl = (text: string): string | null =>
  /^https?:\/\/\S+$/.test(text) ? null : "does not hold one http(s) URL";

const sha256 = (text: string | Buffer): string => createHash("sha256").update(text).digest("hex");

/** Quotes an argument for display when it needs it. */
const shellWord = (word: string): string =>
  /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;

export async function setupRollup(
  parameters: SetupRollupParameters,
): Promise<SetupRollupReturnType> {
  const { config, opDeployer, dryRun, log } = parameters;
  const baseEnv = parameters.env ?? process.env;
  const { workdir, outDir } = config.paths;
  const chainHex = chainIdHash(config.l2.chainId);
  const written: string[] = [];
  const ran: string[][] = [];
  const verb = (doing: string): string => (dryRun ? `would ${doing}` : doing);

  log(
    `setup-rollup ${config.name}: ${config.target}, L1 ${config.l1.chainId}, L2 ${config.l2.chainId}` +
      `${dryRun ? " (dry run: nothing is run or written)" : ""}`,
  );

  const readSecret = (
    file: string,
    field: string,
    check: (text: string) => string | null,
  ): string => {
    let text: string;
    try {
      text = readFileSync(file, "utf8").trim();
    } catch {
      throw new SetupRollupError(`${config.file}: ${field}: secrets file ${file} cannot be read`);
    }
    const problem = check(text);
    if (problem !== null)
      throw new SetupRollupError(`${config.file}: ${field}: secrets file ${file} ${problem}`);
    return text;
  };

  const l1Url: EnvValue =
    typeof config.l1.rpcUrl === "string"
      ? { value: config.l1.rpcUrl }
      : { secretFile: config.l1.rpcUrl.file, check: checkUrl };
  const deployerKey: EnvValue = { secretFile: config.secrets.deployerKey, check: checkKey };

  // Secrets that op-deployer needs are checked before anything runs (a dry run reports them).
  const needed: [string, string, (text: string) => string | null][] = [
    ["secrets.deployerKey", config.secrets.deployerKey, checkKey],
  ];
  if (typeof config.l1.rpcUrl !== "string")
    needed.push(["l1.rpcUrl.file", config.l1.rpcUrl.file, checkUrl]);
  for (const [field, file, check] of needed) {
    if (dryRun) log(`secret ${field}: ${file} (${existsSync(file) ? "present" : "missing"})`);
    else readSecret(file, field, check);
  }

  const display = (argv: readonly string[], env: Readonly<Record<string, EnvValue>>): string =>
    [
      ...Object.entries(env).map(([name, v]) =>
        "value" in v ? `${name}=${shellWord(v.value)}` : `${name}=<contents of ${v.secretFile}>`,
      ),
      shellWord(opDeployer),
      ...argv.map(shellWord),
    ].join(" ");

  /** Runs op-deployer (or prints it in a dry run); returns its stdout. */
  const run = async (
    argv: string[],
    env: Readonly<Record<string, EnvValue>> = {},
  ): Promise<string | undefined> => {
    log(`${verb("run")}: ${display(argv, env)}`);
    if (dryRun) return undefined;
    const childEnv: NodeJS.ProcessEnv = { ...baseEnv };
    for (const [name, v] of Object.entries(env))
      childEnv[name] = "value" in v ? v.value : readSecret(v.secretFile, name, v.check);
    ran.push(argv);
    return new Promise<string>((resolve, reject) => {
      const child = spawn(opDeployer, argv, { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", (error) =>
        reject(new SetupRollupError(`${opDeployer} ${argv[0]}: cannot start: ${error.message}`)),
      );
      child.on("close", (code) => {
        if (code === 0) resolve(stdout);
        else {
          const last = stderr.trim().split("\n").at(-1) ?? "";
          reject(
            new SetupRollupError(
              `op-deployer ${argv.slice(0, 2).join(" ")} exited with status ${code}: ${last}`,
            ),
          );
        }
      });
    });
  };

  /** Writes `content` to `file` unless it already holds exactly that; prints what it did. */
  const writeFile = (
    file: string,
    content: string,
    options: { mode?: number; show?: boolean } = {},
  ): void => {
    const mode = options.mode ?? 0o644;
    if (existsSync(file) && readFileSync(file, "utf8") === content) {
      log(`unchanged: ${file}`);
      return;
    }
    log(
      `${verb("write")}: ${file} (${Buffer.byteLength(content)} bytes, mode ${mode.toString(8)})`,
    );
    if (dryRun) {
      if (options.show !== false) log(content.replace(/\n$/, "").replace(/^/gm, "  | "));
      return;
    }
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.tmp-${process.pid}`;
    writeFileSync(temporary, content, { mode });
    chmodSync(temporary, mode);
    renameSync(temporary, file);
    written.push(file);
  };

  const readJson = (file: string): Record<string, unknown> => {
    try {
      return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch (error) {
      throw new SetupRollupError(`${file}: is not readable JSON: ${(error as Error).message}`);
    }
  };
  const addressIn = (file: string, json: Record<string, unknown>, ...keys: string[]): string => {
    for (const key of keys) {
      const value = json[key];
      if (typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value)) return value;
    }
    throw new SetupRollupError(`${file}: ${keys[0]}: missing or not an address`);
  };

  // 0. The op-deployer version must be the pinned one.
  if (dryRun)
    log(`would check: ${shellWord(opDeployer)} --version reports ${config.opDeployer.version}`);
  else {
    const output = (await run(["--version"])) ?? "";
    ran.pop();
    const version = /(\d+\.\d+\.\d+)/.exec(output)?.[1];
    if (version !== config.opDeployer.version)
      throw new SetupRollupError(
        `${opDeployer} --version reports ${version ?? JSON.stringify(output.trim())}, but ${config.file} pins opDeployer.version ${config.opDeployer.version}`,
      );
  }

  // 1. A devnet L1 has no OPCM: bootstrap the Superchain contracts and the implementations first.
  let bootstrap: BootstrapAddresses | undefined;
  if (config.target === "devnet") {
    const devnet = config.devnet!;
    const superchainFile = path.join(workdir, "bootstrap_superchain.json");
    const implementationsFile = path.join(workdir, "bootstrap_implementations.json");
    if (!dryRun) mkdirSync(workdir, { recursive: true });
    if (existsSync(superchainFile))
      log(`unchanged: ${superchainFile} (bootstrap superchain ran before)`);
    else
      await run(
        [
          "bootstrap",
          "superchain",
          "--outfile",
          superchainFile,
          "--superchain-proxy-admin-owner",
          devnet.superchainProxyAdminOwner,
          "--guardian",
          devnet.guardian,
        ],
        { L1_RPC_URL: l1Url, DEPLOYER_PRIVATE_KEY: deployerKey },
      );
    const superchain = existsSync(superchainFile) ? readJson(superchainFile) : undefined;
    const superchainConfigProxy =
      superchain === undefined
        ? "<superchainConfigProxyAddress from bootstrap_superchain.json>"
        : addressIn(superchainFile, superchain, "superchainConfigProxyAddress");
    const superchainProxyAdmin =
      superchain === undefined
        ? "<proxyAdminAddress from bootstrap_superchain.json>"
        : addressIn(superchainFile, superchain, "proxyAdminAddress", "superchainProxyAdminAddress");
    if (existsSync(implementationsFile))
      log(`unchanged: ${implementationsFile} (bootstrap implementations ran before)`);
    else
      await run(
        [
          "bootstrap",
          "implementations",
          "--outfile",
          implementationsFile,
          "--artifacts-locator",
          "embedded",
          "--superchain-config-proxy",
          superchainConfigProxy,
          "--superchain-proxy-admin",
          superchainProxyAdmin,
          "--l1-proxy-admin-owner",
          config.roles.l1ProxyAdminOwner,
          "--challenger",
          config.roles.challenger,
        ],
        { L1_RPC_URL: l1Url, DEPLOYER_PRIVATE_KEY: deployerKey },
      );
    const implementations = existsSync(implementationsFile)
      ? readJson(implementationsFile)
      : undefined;
    bootstrap = {
      opcm:
        implementations === undefined
          ? "<opcmAddress from bootstrap_implementations.json>"
          : addressIn(implementationsFile, implementations, "opcmAddress", "Opcm"),
      superchainConfigProxy,
    };
  }

  // 2. init (once), then the intent with this chain's values.
  const intentFile = path.join(workdir, "intent.toml");
  const stateFile = path.join(workdir, "state.json");
  if (existsSync(intentFile)) log(`unchanged: ${intentFile} exists, op-deployer init skipped`);
  else
    await run([
      "init",
      "--l1-chain-id",
      String(config.l1.chainId),
      "--l2-chain-ids",
      String(config.l2.chainId),
      "--workdir",
      workdir,
      "--intent-type",
      config.target === "devnet" ? "custom" : "standard-overrides",
    ]);
  let intentText: string | undefined;
  if (existsSync(intentFile)) {
    intentText = mergeIntent(readFileSync(intentFile, "utf8"), config, bootstrap, intentFile);
    writeFile(intentFile, intentText);
  } else {
    log(
      `${verb("write")}: ${intentFile} (the intent op-deployer init writes, with these fields set)`,
    );
    log(intentOverlayToml(config, bootstrap).replace(/\n$/, "").replace(/^/gm, "  | "));
  }

  // 3. apply, unless state.json already records this chain deployed from this very intent.
  const deploymentFile = path.join(outDir, "deployment.json");
  const intentSha = intentText === undefined ? undefined : sha256(intentText);
  const previous = existsSync(deploymentFile) ? readJson(deploymentFile) : undefined;
  const chainState = (): Record<string, unknown> | undefined => {
    if (!existsSync(stateFile)) return undefined;
    const deployments = readJson(stateFile).opChainDeployments;
    if (!Array.isArray(deployments)) return undefined;
    return (deployments as Record<string, unknown>[]).find(
      (d) => typeof d.id === "string" && d.id.toLowerCase() === chainHex,
    );
  };
  if (
    chainState() !== undefined &&
    previous !== undefined &&
    intentSha !== undefined &&
    previous.appliedIntentSha256 === intentSha
  )
    log(
      `unchanged: ${stateFile} records chain ${config.l2.chainId} deployed from this intent; op-deployer apply skipped`,
    );
  else
    await run(["apply", "--workdir", workdir, "--deployment-target", "live"], {
      L1_RPC_URL: l1Url,
      DEPLOYER_PRIVATE_KEY: deployerKey,
    });

  // 4. genesis.json and rollup.json for the chain.
  const genesisFile = path.join(outDir, "genesis.json");
  const rollupFile = path.join(outDir, "rollup.json");
  const genesis = await run([
    "inspect",
    "genesis",
    "--workdir",
    workdir,
    String(config.l2.chainId),
  ]);
  if (genesis === undefined)
    log(`would write: ${genesisFile} (stdout of op-deployer inspect genesis)`);
  else writeFile(genesisFile, genesis, { show: false });
  const rollup = await run(["inspect", "rollup", "--workdir", workdir, String(config.l2.chainId)]);
  if (rollup === undefined)
    log(`would write: ${rollupFile} (stdout of op-deployer inspect rollup)`);
  else writeFile(rollupFile, rollup, { show: false });

  // 5. The deployment record: the addresses the services need.
  const deployed = chainState();
  let addresses: ChainAddresses;
  if (deployed === undefined || rollup === undefined) {
    if (!dryRun)
      throw new SetupRollupError(
        `${stateFile}: opChainDeployments: no entry with id ${chainHex} after apply`,
      );
    addresses = {
      disputeGameFactoryProxy: "<disputeGameFactoryProxyAddress from state.json>",
      batchInbox: "<batch_inbox_address from rollup.json>",
    };
  } else {
    let rollupJson: Record<string, unknown>;
    try {
      rollupJson = JSON.parse(rollup) as Record<string, unknown>;
    } catch (error) {
      throw new SetupRollupError(
        `op-deployer inspect rollup: output is not JSON: ${(error as Error).message}`,
      );
    }
    addresses = {
      disputeGameFactoryProxy: addressIn(
        `${stateFile} (chain ${chainHex})`,
        deployed,
        "disputeGameFactoryProxyAddress",
      ),
      batchInbox: addressIn(rollupFile, rollupJson, "batch_inbox_address"),
    };
    const optional = (key: string): string | null =>
      typeof deployed[key] === "string" ? (deployed[key] as string) : null;
    const record = {
      schema: "every.channel/op-stack-deployment/v1",
      name: config.name,
      target: config.target,
      l1ChainId: config.l1.chainId,
      l2ChainId: config.l2.chainId,
      opDeployerVersion: config.opDeployer.version,
      appliedIntentSha256: intentSha,
      stateSha256: sha256(readFileSync(stateFile)),
      genesisSha256: sha256(genesis ?? ""),
      rollupSha256: sha256(rollup),
      addresses: {
        disputeGameFactoryProxy: addresses.disputeGameFactoryProxy,
        batchInbox: addresses.batchInbox,
        systemConfigProxy: optional("systemConfigProxyAddress"),
        optimismPortalProxy: optional("optimismPortalProxyAddress"),
        l1StandardBridgeProxy: optional("l1StandardBridgeProxyAddress"),
        anchorStateRegistryProxy: optional("anchorStateRegistryProxyAddress"),
      },
    };
    writeFile(deploymentFile, `${JSON.stringify(record, null, 2)}\n`);
  }

  // 6. The JWT shared by op-reth and op-node: created once, kept afterwards.
  const jwtFile = path.join(outDir, "jwt.hex");
  if (existsSync(jwtFile)) log(`unchanged: ${jwtFile} (kept)`);
  else {
    log(`${verb("write")}: ${jwtFile} (32 random bytes as hex, mode 600; kept on later runs)`);
    if (!dryRun) {
      mkdirSync(outDir, { recursive: true });
      writeFileSync(jwtFile, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
      chmodSync(jwtFile, 0o600);
      written.push(jwtFile);
    }
  }

  // 7. Every service's configuration, and the prestate gate of the dispute path.
  const services = buildServices(config, addresses);
  writeFile(path.join(outDir, "services.json"), `${JSON.stringify(services, null, 2)}\n`);
  const gate = checkPrestate(config.prestate);
  for (const name of OP_STACK_SERVICES) {
    const flagsFile = path.join(outDir, "services", `${name}.flags`);
    const entry = services.services[name];
    const gated = (DISPUTE_SERVICES as readonly string[]).includes(name) && gate.state !== "ready";
    if (entry === undefined || gated) {
      if (existsSync(flagsFile)) {
        log(`${verb("remove")}: ${flagsFile} (${name} is not started)`);
        if (!dryRun) rmSync(flagsFile);
      }
      continue;
    }
    const flags = [...entry.command, ...renderFlags(entry.settings)];
    writeFile(flagsFile, `${flags.join("\n")}\n`);
  }
  log(gate.line);
  for (const line of unpinnedImageLines(config)) log(line);
  log(
    `${config.name}: ${dryRun ? "dry run done" : "done"}; ${written.length} file(s) written, ${ran.length} op-deployer command(s) run`,
  );
  return { written, ran, prestate: gate.state };
}
