import { createHash } from "node:crypto";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { parse } from "smol-toml";

import { runScript, type ScriptResult } from "../smoke/support/run-script";
import { ROLES, sepoliaConfig, TEST_KEYS, writeConfig, writeSecrets } from "./support/chain-config";

const SCRIPT = "scripts/op-stack/setup-rollup.sh";
const FAKE = path.resolve(__dirname, "fixtures", "fake-op-deployer");
const CHAIN_HEX = `0x${(920093).toString(16).padStart(64, "0")}`;

interface Invocation {
  args: string[];
  env: string[];
}
type Json = Record<string, unknown>;

const readJson = (file: string): Json => JSON.parse(readFileSync(file, "utf8")) as Json;
const flagsOf = (outDir: string, service: string): string[] =>
  readFileSync(path.join(outDir, "services", `${service}.flags`), "utf8")
    .trimEnd()
    .split("\n");

/** Every file below `root` with its content hash and modification time. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else {
        const hash = createHash("sha256").update(readFileSync(file)).digest("hex");
        out.set(file, `${hash} ${statSync(file).mtimeMs}`);
      }
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

/** Every file below `root` as text (to look for secrets in everything written). */
function allText(...roots: string[]): string {
  return roots
    .flatMap((root) => [...snapshot(root).keys()].map((file) => readFileSync(file, "utf8")))
    .join("\n");
}

describe("scripts/op-stack/setup-rollup.sh", function () {
  let dir: string;
  let secrets: Record<string, string>;

  before(function () {
    dir = mkdtempSync(path.join(tmpdir(), "setup-rollup-"));
    secrets = writeSecrets(dir);
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh chain folder with its configuration file (changed by `edit`). */
  function chain(label: string, edit: (config: Json) => void = () => {}) {
    const root = path.join(dir, label);
    const config = sepoliaConfig(root, secrets);
    edit(config);
    const paths = config.paths as { workdir: string; outDir: string };
    const file = writeConfig(dir, `${label}.json`, config);
    const logFile = path.join(dir, `${label}.log`);
    const run = (...args: string[]): Promise<ScriptResult> =>
      runScript(SCRIPT, ["--config", file, "--op-deployer", FAKE, ...args], {
        env: { FAKE_OP_DEPLOYER_LOG: logFile },
      });
    const invocations = (): Invocation[] =>
      existsSync(logFile)
        ? readFileSync(logFile, "utf8")
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line) as Invocation)
        : [];
    return { root, config, file, run, invocations, ...paths };
  }
  const commands = (list: Invocation[]): string[] =>
    list.map((i) =>
      i.args.slice(0, i.args[0] === "bootstrap" || i.args[0] === "inspect" ? 2 : 1).join(" "),
    );

  it("prints every command and file on a dry run and runs and writes nothing", async function () {
    const c = chain("dry");
    const result = await c.run("--dry-run");
    expect(result.code, result.stderr).to.equal(0);
    const out = result.stdout;
    expect(out).to.contain(
      `would run: ${FAKE} init --l1-chain-id 11155111 --l2-chain-ids 920093 --workdir ${c.workdir} --intent-type standard-overrides`,
    );
    expect(out).to.contain(
      `would run: L1_RPC_URL=https://sepolia.example.org/rpc DEPLOYER_PRIVATE_KEY=<contents of ${secrets.deployerKey}> ${FAKE} apply --workdir ${c.workdir} --deployment-target live`,
    );
    expect(out).to.contain(`would run: ${FAKE} inspect genesis --workdir ${c.workdir} 920093`);
    expect(out).to.contain(`would run: ${FAKE} inspect rollup --workdir ${c.workdir} 920093`);
    for (const file of [
      path.join(c.workdir, "intent.toml"),
      path.join(c.outDir, "genesis.json"),
      path.join(c.outDir, "rollup.json"),
      path.join(c.outDir, "jwt.hex"),
      path.join(c.outDir, "services.json"),
      ...["op-reth", "op-node", "op-batcher", "op-proposer"].map((s) =>
        path.join(c.outDir, "services", `${s}.flags`),
      ),
    ])
      expect(out).to.contain(`would write: ${file}`);
    // The intent's fields and the flags are shown, the keys are not.
    expect(out).to.contain(`  | batcher = "${ROLES.batcher}"`);
    expect(out).to.contain(
      "  | --game-factory-address=<disputeGameFactoryProxyAddress from state.json>",
    );
    for (const key of Object.values(TEST_KEYS)) expect(out).not.to.contain(key.slice(2));
    expect(existsSync(c.root)).to.equal(false);
    expect(c.invocations()).to.deep.equal([]);
  });

  describe("a Sepolia chain", function () {
    const c = {} as ReturnType<typeof chain>;
    let first: ScriptResult;

    before(async function () {
      Object.assign(c, chain("sepolia"));
      first = await c.run();
    });

    it("runs init, apply and both inspections once, keys only through the environment", function () {
      expect(first.code, first.stderr).to.equal(0);
      const list = c.invocations();
      expect(commands(list)).to.deep.equal([
        "--version",
        "init",
        "apply",
        "inspect genesis",
        "inspect rollup",
      ]);
      const apply = list.find((i) => i.args[0] === "apply")!;
      expect(apply.env).to.deep.equal(["DEPLOYER_PRIVATE_KEY", "L1_RPC_URL"]);
      for (const i of list) expect(i.args.join(" ")).not.to.match(/[0-9a-f]{64}/i);
    });

    it("writes the intent with this chain's roles, fee vaults and EIP-1559 values over init's fields", function () {
      const intent = parse(readFileSync(path.join(c.workdir, "intent.toml"), "utf8")) as Json;
      expect(intent.configType).to.equal("standard-overrides");
      expect(intent.l1ChainID).to.equal(11155111);
      expect(intent.fundDevAccounts).to.equal(false);
      expect(intent.l1ContractsLocator).to.equal("embedded");
      expect(intent.opDeployerVersion).to.equal("v0.7.1"); // kept from init
      expect(intent.opcmAddress).to.match(/^0x[0-9a-f]{40}$/); // kept from init
      const chains = intent.chains as Json[];
      expect(chains).to.have.length(1);
      expect(chains[0]!.id).to.equal(CHAIN_HEX);
      expect(chains[0]!.roles).to.deep.equal(ROLES);
      expect(chains[0]!.baseFeeVaultRecipient).to.equal(ROLES.systemConfigOwner);
      expect(chains[0]!.gasLimit).to.equal(60000000); // kept from init
      expect([
        chains[0]!.eip1559DenominatorCanyon,
        chains[0]!.eip1559Denominator,
        chains[0]!.eip1559Elasticity,
      ]).to.deep.equal([250, 50, 6]);
    });

    it("records the dispute game factory and batch inbox from state.json and rollup.json", function () {
      const record = readJson(path.join(c.outDir, "deployment.json"));
      const state = readJson(path.join(c.workdir, "state.json"));
      const deployed = (state.opChainDeployments as Json[])[0]!;
      const rollup = readJson(path.join(c.outDir, "rollup.json"));
      const addresses = record.addresses as Json;
      expect(addresses.disputeGameFactoryProxy).to.equal(deployed.disputeGameFactoryProxyAddress);
      expect(addresses.batchInbox).to.equal(rollup.batch_inbox_address);
      expect(addresses.systemConfigProxy).to.equal(deployed.systemConfigProxyAddress);
      expect(record.appliedIntentSha256).to.equal(
        createHash("sha256")
          .update(readFileSync(path.join(c.workdir, "intent.toml")))
          .digest("hex"),
      );
      expect(readJson(path.join(c.outDir, "genesis.json")).config).to.deep.equal({
        chainId: 920093,
      });
    });

    it("creates a JWT secret readable by its owner only", function () {
      const jwt = path.join(c.outDir, "jwt.hex");
      expect(readFileSync(jwt, "utf8")).to.match(/^[0-9a-f]{64}\n$/);
      expect(statSync(jwt).mode & 0o777).to.equal(0o600);
    });

    it("writes flags for op-reth, op-node, op-batcher and op-proposer with loopback RPC and P2P off", function () {
      const dgf = (readJson(path.join(c.outDir, "deployment.json")).addresses as Json)
        .disputeGameFactoryProxy as string;
      const reth = flagsOf(c.outDir, "op-reth");
      expect(reth[0]).to.equal("node");
      expect(reth).to.include.members([
        "--chain=/config/genesis.json",
        "--http",
        "--http.addr=127.0.0.1",
        "--http.port=8545",
        "--authrpc.jwtsecret=/secrets/jwt.hex",
        "--addr=127.0.0.1",
        "--disable-discovery",
      ]);
      const node = flagsOf(c.outDir, "op-node");
      expect(node).to.include.members([
        "--l1=https://sepolia.example.org/rpc",
        "--l1.beacon=https://sepolia.example.org/beacon",
        "--l2=http://127.0.0.1:8551",
        "--l2.jwt-secret=/secrets/jwt.hex",
        "--l2.enginekind=reth",
        "--rollup.config=/config/rollup.json",
        "--rpc.addr=127.0.0.1",
        "--sequencer.enabled",
        "--p2p.disable",
      ]);
      expect(node.some((f) => f.startsWith("--p2p.listen"))).to.equal(false);
      expect(flagsOf(c.outDir, "op-batcher")).to.include.members([
        "--l1-eth-rpc=https://sepolia.example.org/rpc",
        "--l2-eth-rpc=http://127.0.0.1:8545",
        "--rollup-rpc=http://127.0.0.1:9545",
        "--data-availability-type=blobs",
        "--batch-type=1",
      ]);
      expect(flagsOf(c.outDir, "op-proposer")).to.include.members([
        `--game-factory-address=${dgf}`,
        "--game-type=1",
        "--proposal-interval=1h",
      ]);
      // Flags come out in the sorted order of their names, the rule plan.nix repeats.
      for (const service of ["op-node", "op-batcher", "op-proposer"]) {
        const names = flagsOf(c.outDir, service).map((f) => f.slice(2).split("=")[0]!);
        expect(names).to.deep.equal([...names].sort());
      }
    });

    it("keeps op-challenger and op-dispute-mon off without a prestate, saying so in one line", function () {
      const lines = first.stdout
        .split("\n")
        .filter((l) => l.startsWith("op-challenger, op-dispute-mon:"));
      expect(lines).to.deep.equal([
        "op-challenger, op-dispute-mon: not started: no Cannon absolute prestate configured (prestate.hash, prestate.sha256, prestate.file)",
      ]);
      expect(existsSync(path.join(c.outDir, "services", "op-challenger.flags"))).to.equal(false);
      expect(existsSync(path.join(c.outDir, "services", "op-dispute-mon.flags"))).to.equal(false);
      const services = readJson(path.join(c.outDir, "services.json")).services as Json;
      expect(Object.keys(services)).to.deep.equal([
        "op-reth",
        "op-node",
        "op-batcher",
        "op-proposer",
      ]);
    });

    it("names key files in services.json and writes no key anywhere", function () {
      const services = readJson(path.join(c.outDir, "services.json"));
      expect(services.secrets).to.deep.include({
        batcherKey: secrets.batcherKey,
        proposerKey: secrets.proposerKey,
        sequencerKey: secrets.sequencerKey,
        jwt: path.join(c.outDir, "jwt.hex"),
      });
      const entries = services.services as Record<string, { secretEnv: Json }>;
      expect(entries["op-batcher"]!.secretEnv).to.deep.equal({
        OP_BATCHER_PRIVATE_KEY: "batcherKey",
      });
      expect(entries["op-node"]!.secretEnv).to.deep.equal({
        OP_NODE_P2P_SEQUENCER_KEY: "sequencerKey",
      });
      const text = allText(c.workdir, c.outDir);
      for (const key of Object.values(TEST_KEYS)) expect(text).not.to.contain(key.slice(2));
    });

    it("changes nothing on a second run with nothing changed: no init, no apply, no file written", async function () {
      const before = [...snapshot(c.workdir), ...snapshot(c.outDir)];
      const count = c.invocations().length;
      const again = await c.run();
      expect(again.code, again.stderr).to.equal(0);
      expect([...snapshot(c.workdir), ...snapshot(c.outDir)]).to.deep.equal(before);
      expect(commands(c.invocations().slice(count))).to.deep.equal([
        "--version",
        "inspect genesis",
        "inspect rollup",
      ]);
      expect(again.stdout).to.contain("op-deployer apply skipped");
      expect(again.stdout).to.contain("ecp-forge: done; 0 file(s) written");
    });

    it("rewrites the intent and applies again when a role changes", async function () {
      const config = JSON.parse(readFileSync(c.file, "utf8")) as Json;
      (config.roles as Json).batcher = "0x976EA74026E726554dB657fA54763abd0C3a0aa9";
      writeFileSync(c.file, JSON.stringify(config));
      const count = c.invocations().length;
      const result = await c.run();
      expect(result.code, result.stderr).to.equal(0);
      expect(commands(c.invocations().slice(count))).to.include("apply");
      const intent = parse(readFileSync(path.join(c.workdir, "intent.toml"), "utf8")) as Json;
      expect(((intent.chains as Json[])[0]!.roles as Json).batcher).to.equal(
        "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
      );
      expect(result.stdout).to.contain(`write: ${path.join(c.workdir, "intent.toml")}`);
    });
  });

  describe("the prestate gate", function () {
    const hash = `0x03${"ab".repeat(31)}`;
    const artifact = Buffer.from("cannon absolute prestate artifact (test bytes)");
    const sha = createHash("sha256").update(artifact).digest("hex");
    const c = {} as ReturnType<typeof chain>;
    let prestateFile: string;

    before(function () {
      prestateFile = path.join(dir, "prestates", `${hash}.bin.gz`);
      Object.assign(
        c,
        chain("prestate", (config) => {
          config.prestate = { hash, sha256: sha, file: prestateFile };
        }),
      );
    });

    const gateLine = (out: string): string[] =>
      out.split("\n").filter((l) => l.startsWith("op-challenger, op-dispute-mon:"));
    const disputeFlags = (): boolean[] =>
      ["op-challenger", "op-dispute-mon"].map((s) =>
        existsSync(path.join(c.outDir, "services", `${s}.flags`)),
      );

    it("keeps the dispute path off while the artifact is absent", async function () {
      const result = await c.run();
      expect(result.code, result.stderr).to.equal(0);
      expect(gateLine(result.stdout)).to.deep.equal([
        `op-challenger, op-dispute-mon: not started: Cannon absolute prestate ${prestateFile} is absent`,
      ]);
      expect(disputeFlags()).to.deep.equal([false, false]);
      // The settings are recorded so that the NixOS module can start them once the artifact arrives.
      const services = readJson(path.join(c.outDir, "services.json"));
      expect(Object.keys(services.services as Json)).to.include.members([
        "op-challenger",
        "op-dispute-mon",
      ]);
      expect(services.prestate).to.deep.equal({ hash, sha256: sha, file: prestateFile });
    });

    it("keeps it off when the artifact's sha256 differs from the configured one", async function () {
      const { mkdirSync } = await import("node:fs");
      mkdirSync(path.dirname(prestateFile), { recursive: true });
      writeFileSync(prestateFile, "some other bytes");
      const result = await c.run();
      expect(result.code, result.stderr).to.equal(0);
      const other = createHash("sha256").update("some other bytes").digest("hex");
      expect(gateLine(result.stdout)).to.deep.equal([
        `op-challenger, op-dispute-mon: not started: Cannon absolute prestate ${prestateFile} has sha256 ${other}, configured ${sha}`,
      ]);
      expect(disputeFlags()).to.deep.equal([false, false]);
    });

    it("configures op-challenger and op-dispute-mon once the artifact is present and matches", async function () {
      writeFileSync(prestateFile, artifact);
      const result = await c.run();
      expect(result.code, result.stderr).to.equal(0);
      expect(gateLine(result.stdout)).to.deep.equal([
        `op-challenger, op-dispute-mon: prestate ${hash} present and its sha256 matches; configured`,
      ]);
      expect(disputeFlags()).to.deep.equal([true, true]);
      const dgf = (readJson(path.join(c.outDir, "deployment.json")).addresses as Json)
        .disputeGameFactoryProxy as string;
      expect(flagsOf(c.outDir, "op-challenger")).to.include.members([
        `--cannon-prestate=/prestate/${hash}.bin.gz`,
        "--cannon-rollup-config=/config/rollup.json",
        "--cannon-l2-genesis=/config/genesis.json",
        "--game-types=cannon,permissioned",
        `--game-factory-address=${dgf}`,
        "--l1-beacon=https://sepolia.example.org/beacon",
        "--l2-eth-rpc=http://127.0.0.1:8545",
      ]);
      expect(flagsOf(c.outDir, "op-dispute-mon")).to.include.members([
        `--game-factory-address=${dgf}`,
        `--honest-actors=${ROLES.proposer},${ROLES.challenger}`,
        "--rollup-rpc=http://127.0.0.1:9545",
      ]);
    });

    it("removes their flags again when the artifact disappears", async function () {
      rmSync(prestateFile);
      const result = await c.run();
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.contain(
        `remove: ${path.join(c.outDir, "services", "op-challenger.flags")} (op-challenger is not started)`,
      );
      expect(disputeFlags()).to.deep.equal([false, false]);
    });
  });

  it("bootstraps a devnet L1 first and puts the OPCM it deployed into a custom intent", async function () {
    const urlFile = path.join(dir, "secrets", "devnet-l1-url");
    writeFileSync(urlFile, "http://127.0.0.1:18545/l1-key-in-path\n");
    const c = chain("devnet", (config) => {
      config.target = "devnet";
      config.l1 = { chainId: 31337, rpcUrl: { file: urlFile } };
      config.dataAvailability = "calldata";
      config.devnet = {
        superchainProxyAdminOwner: ROLES.l1ProxyAdminOwner,
        guardian: ROLES.challenger,
      };
    });
    const result = await c.run();
    expect(result.code, result.stderr).to.equal(0);
    expect(commands(c.invocations())).to.deep.equal([
      "--version",
      "bootstrap superchain",
      "bootstrap implementations",
      "init",
      "apply",
      "inspect genesis",
      "inspect rollup",
    ]);
    const superchain = readJson(path.join(c.workdir, "bootstrap_superchain.json"));
    const implementations = readJson(path.join(c.workdir, "bootstrap_implementations.json"));
    const impl = c.invocations().find((i) => i.args[1] === "implementations")!;
    const at = impl.args.indexOf("--superchain-config-proxy");
    expect(impl.args[at + 1]).to.equal(superchain.superchainConfigProxyAddress);
    const intent = parse(readFileSync(path.join(c.workdir, "intent.toml"), "utf8")) as Json;
    expect(intent.configType).to.equal("custom");
    expect(intent.opcmAddress).to.equal(implementations.opcmAddress);
    expect(intent.superchainConfigProxy).to.equal(superchain.superchainConfigProxyAddress);
    expect(intent).not.to.have.property("superchainRoles");
    expect([intent.l1ContractsLocator, intent.l2ContractsLocator]).to.deep.equal([
      "embedded",
      "embedded",
    ]);
    expect(intent.fundDevAccounts).to.equal(true);
    // An L1 URL from a secrets file reaches the services through the environment only.
    const services = readJson(path.join(c.outDir, "services.json"));
    const node = (services.services as Record<string, { settings: Json; secretEnv: Json }>)[
      "op-node"
    ]!;
    expect(node.settings).not.to.have.property("l1");
    expect(node.secretEnv.OP_NODE_L1_ETH_RPC).to.equal("l1RpcUrl");
    expect((services.secrets as Json).l1RpcUrl).to.equal(urlFile);
    expect(flagsOf(c.outDir, "op-batcher")).to.include("--data-availability-type=calldata");
    expect(allText(c.workdir, c.outDir)).not.to.contain("l1-key-in-path");
    // A second run deploys nothing again.
    const count = c.invocations().length;
    const again = await c.run();
    expect(again.code, again.stderr).to.equal(0);
    expect(commands(c.invocations().slice(count))).to.deep.equal([
      "--version",
      "inspect genesis",
      "inspect rollup",
    ]);
  });

  it("refuses a configuration error in one line naming the file and field, before running anything", async function () {
    const c = chain("bad-address", (config) => {
      (config.roles as Json).proposer = "0x1234";
    });
    const result = await c.run();
    expect(result.code).to.equal(2);
    expect(result.stderr).to.equal(
      `setup-rollup: ${c.file}: roles.proposer: must be a 20-byte 0x-prefixed hex address (got "0x1234")\n`,
    );
    expect(c.invocations()).to.deep.equal([]);
  });

  it("refuses a deployer key file that holds no key, without printing its content", async function () {
    const badKey = path.join(dir, "secrets", "bad-deployer.key");
    writeFileSync(badKey, "not a key but a secret phrase\n");
    const c = chain("bad-key", (config) => {
      (config.secrets as Json).deployerKey = badKey;
    });
    const result = await c.run();
    expect(result.code).to.equal(1);
    expect(result.stderr).to.equal(
      `setup-rollup: ${c.file}: secrets.deployerKey: secrets file ${badKey} does not hold one 0x-prefixed 32-byte hex private key\n`,
    );
    expect(result.stdout + result.stderr).not.to.contain("secret phrase");
    expect(c.invocations()).to.deep.equal([]);
  });

  it("refuses an op-deployer whose version is not the pinned one", async function () {
    const c = chain("wrong-version");
    const result = await runScript(SCRIPT, ["--config", c.file, "--op-deployer", FAKE], {
      env: { FAKE_OP_DEPLOYER_VERSION: "0.6.0" },
    });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.equal(
      `setup-rollup: ${FAKE} --version reports 0.6.0, but ${c.file} pins opDeployer.version 0.7.1\n`,
    );
    expect(existsSync(c.workdir)).to.equal(false);
  });
});
