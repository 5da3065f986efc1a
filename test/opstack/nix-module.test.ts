import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { parseRollupConfig, REPOSITORY_ROOT } from "../../lib/opstack/rollup-config";
import { buildServices, renderFlags, type ServicesFile } from "../../lib/opstack/services";
import { ROLES, sepoliaConfig, writeSecrets } from "./support/chain-config";
import { requireTools } from "./support/tools";

const MODULE_DIR = path.join(REPOSITORY_ROOT, "nix", "modules");
const STACK_DIR = path.join(MODULE_DIR, "ec-op-stack");
const STUBS = path.join(__dirname, "fixtures", "nix-stubs.nix");
const DIGEST = (n: number): string => `sha256:${n.toString(16).padStart(64, "0")}`;
const ADDRESSES = {
  disputeGameFactoryProxy: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  batchInbox: "0xff000000000000000000000000000000000e0a1d",
};

type Json = Record<string, unknown>;
interface Container {
  name: string;
  unit: string;
  image: string;
  argv: string[];
  secretEnv: Record<string, string | null>;
  jwt: string | null;
  volumes: string[];
  stateDir: string | null;
  gate: { hash: string; sha256: string; file: string } | null;
}
interface Plan {
  containers: Record<string, Container>;
  daemons: Record<string, Json & { argv: string[]; secretEnv: Json; stateDir: string }>;
  firewall: { allowedTCPPorts: number[]; allowedUDPPorts: number[] };
  stateDirectories: string[];
  prestatePaths: Record<string, string>;
  warnings: string[];
  assertions: { assertion: boolean; message: string }[];
}

/** Evaluates a Nix expression (a function of `cfgJson`) strictly, to JSON, with builtins only. */
function nixEval<T>(expression: string, cfg: unknown): T {
  const result = spawnSync(
    "nix-instantiate",
    [
      "--eval",
      "--strict",
      "--json",
      "--readonly-mode",
      "-E",
      expression,
      "--argstr",
      "cfgJson",
      JSON.stringify(cfg),
    ],
    { encoding: "utf8" },
  );
  if (result.status !== 0)
    throw new Error(
      `nix-instantiate failed: ${result.stderr
        .split("\n")
        .filter((l) => !l.includes("nixbld"))
        .join("\n")}`,
    );
  return JSON.parse(result.stdout) as T;
}

const planOf = (cfg: unknown): Plan =>
  nixEval<Plan>(
    `{ cfgJson }: (import ${STACK_DIR}/plan.nix) ((import ${STACK_DIR}/defaults.nix).withDefaults (builtins.fromJSON cfgJson))`,
    cfg,
  );

/** default.nix's `config`, evaluated with the stubbed lib and pkgs. */
const moduleConfigOf = (cfg: unknown): Json =>
  nixEval<Json>(
    `{ cfgJson }: let stubs = import ${STUBS}; d = import ${STACK_DIR}/defaults.nix;
       module = import ${STACK_DIR}/default.nix {
         inherit (stubs) lib pkgs;
         config.services.every-channel = d.withDefaults (builtins.fromJSON cfgJson);
       };
     in module.config`,
    cfg,
  );

const failed = (plan: Plan): string[] =>
  plan.assertions.filter((a) => !a.assertion).map((a) => a.message);

describe("nix/modules/ec-op-stack", function () {
  let dir: string;
  let deployment: ServicesFile;
  let gatedDeployment: ServicesFile;
  let pinned: Json;

  before(function () {
    requireTools(this, ["nix-instantiate"], "NixOS module parse and option-logic evaluation");
    dir = mkdtempSync(path.join(tmpdir(), "nix-module-"));
    const secrets = writeSecrets(dir);
    const base = sepoliaConfig(dir, secrets);
    deployment = buildServices(parseRollupConfig(base, path.join(dir, "chain.json")), ADDRESSES);
    gatedDeployment = buildServices(
      parseRollupConfig(
        {
          ...base,
          prestate: {
            hash: `0x03${"ab".repeat(31)}`,
            sha256: "cd".repeat(32),
            file: `/var/lib/every-channel-op-stack/prestates/0x03${"ab".repeat(31)}.bin.gz`,
          },
        },
        path.join(dir, "chain.json"),
      ),
      ADDRESSES,
    );
    // Digests for the images that have none pinned in images.json (the module refuses those).
    pinned = Object.fromEntries(
      ["op-batcher", "op-proposer", "op-challenger", "op-dispute-mon"].map((name, i) => [
        name,
        { digest: DIGEST(i + 1) },
      ]),
    );
  });
  after(function () {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const enabled = (extra: Json = {}, dep: ServicesFile = deployment): Json => ({
    "op-stack": { enable: true, deployment: dep, images: pinned, ...extra },
  });

  it("parses: every .nix file under nix/ and the test stubs", function () {
    const files = [path.join(MODULE_DIR, "ec-op-stack.nix"), STUBS].concat(
      readdirSync(STACK_DIR)
        .filter((f) => f.endsWith(".nix"))
        .map((f) => path.join(STACK_DIR, f)),
    );
    expect(files.map((f) => path.basename(f))).to.include.members([
      "ec-op-stack.nix",
      "default.nix",
      "options.nix",
      "plan.nix",
      "defaults.nix",
    ]);
    for (const file of files)
      execFileSync("nix-instantiate", ["--readonly-mode", "--parse", file], { stdio: "pipe" });
  });

  it("runs nothing, opens nothing and asserts nothing when disabled", function () {
    const plan = planOf({});
    expect(plan.containers).to.deep.equal({});
    expect(plan.daemons).to.deep.equal({});
    expect(plan.firewall).to.deep.equal({ allowedTCPPorts: [], allowedUDPPorts: [] });
    expect(plan.stateDirectories).to.deep.equal([]);
    expect(plan.warnings).to.deep.equal([]);
    expect(failed(plan)).to.deep.equal([]);
  });

  it("refuses to enable without the deployment file setup-rollup wrote", function () {
    expect(failed(planOf({ "op-stack": { enable: true } }))).to.deep.equal([
      "services.every-channel.op-stack.deployment is not set: point it at the services.json that scripts/op-stack/setup-rollup.sh wrote",
    ]);
  });

  it("refuses an image without a pinned digest, naming the option", function () {
    const plan = planOf({ "op-stack": { enable: true, deployment } });
    expect(failed(plan)).to.deep.equal([
      "services.every-channel.op-stack.images.op-batcher.digest is not pinned: pin it (docs/runbooks/op-stack-bring-up.md, step 3) before enabling op-batcher",
      "services.every-channel.op-stack.images.op-proposer.digest is not pinned: pin it (docs/runbooks/op-stack-bring-up.md, step 3) before enabling op-proposer",
    ]);
  });

  describe("enabled without a prestate", function () {
    let plan: Plan;
    before(function () {
      plan = planOf(enabled());
    });

    it("runs op-reth, op-node, op-batcher and op-proposer from images pinned by tag and digest", function () {
      expect(Object.keys(plan.containers)).to.deep.equal([
        "op-batcher",
        "op-node",
        "op-proposer",
        "op-reth",
      ]);
      expect(plan.containers["op-reth"]!.image).to.equal(
        "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-reth:v2.3.3@sha256:eec35eaafb6f8b3d07c6844ff87c4f8af81fca088472b6a432435c53a36b8a4c",
      );
      expect(plan.containers["op-batcher"]!.image).to.equal(
        `us-docker.pkg.dev/oplabs-tools-artifacts/images/op-batcher:v1.16.13@${DIGEST(1)}`,
      );
      expect(failed(plan)).to.deep.equal([]);
    });

    it("says in one line that op-challenger and op-dispute-mon are not started", function () {
      expect(plan.warnings).to.deep.equal([
        "op-challenger, op-dispute-mon: not started: no Cannon absolute prestate configured (services.every-channel.op-stack.prestate)",
      ]);
      expect(plan.prestatePaths).to.deep.equal({});
    });

    it("renders exactly the flags setup-rollup writes (one rule in TypeScript and Nix)", function () {
      for (const [name, entry] of Object.entries(deployment.services)) {
        expect(plan.containers[name]!.argv, name).to.deep.equal([
          ...entry!.command,
          ...renderFlags(entry!.settings),
        ]);
      }
    });

    it("binds the L2 RPC to loopback, keeps P2P off and opens no port", function () {
      const reth = plan.containers["op-reth"]!.argv;
      expect(reth).to.include.members([
        "--http.addr=127.0.0.1",
        "--addr=127.0.0.1",
        "--disable-discovery",
      ]);
      expect(plan.containers["op-node"]!.argv).to.include("--p2p.disable");
      expect(plan.firewall).to.deep.equal({ allowedTCPPorts: [], allowedUDPPorts: [] });
    });

    it("hands keys over as files, by the environment variable each flag answers to", function () {
      expect(plan.containers["op-batcher"]!.secretEnv).to.deep.equal({
        OP_BATCHER_PRIVATE_KEY: deployment.secrets.batcherKey,
      });
      expect(plan.containers["op-node"]!.secretEnv).to.deep.equal({
        OP_NODE_P2P_SEQUENCER_KEY: deployment.secrets.sequencerKey,
      });
      expect(plan.containers["op-reth"]!.jwt).to.equal(deployment.secrets.jwt);
      expect(plan.containers["op-batcher"]!.jwt).to.equal(null);
      for (const container of Object.values(plan.containers))
        expect(container.argv.join(" ")).not.to.match(/private-key|[0-9a-f]{64}/);
    });

    it("declares the state folders teardown removes", function () {
      expect(plan.stateDirectories).to.deep.equal([
        "/var/lib/every-channel-op-stack/op-reth",
        "/var/lib/every-channel-op-stack/op-node",
      ]);
      expect(plan.containers["op-reth"]!.volumes).to.include(
        "/var/lib/every-channel-op-stack/op-reth:/data",
      );
    });
  });

  it("opens the P2P ports only when P2P is enabled, and then only with openFirewall", function () {
    const open = planOf(enabled({ p2p: { enable: true } }));
    expect(open.firewall).to.deep.equal({
      allowedTCPPorts: [9222, 30303],
      allowedUDPPorts: [9222, 30303],
    });
    expect(open.containers["op-reth"]!.argv).to.include("--addr=0.0.0.0");
    expect(open.containers["op-reth"]!.argv).not.to.include("--disable-discovery");
    expect(open.containers["op-node"]!.argv).to.include.members([
      "--p2p.listen.ip=0.0.0.0",
      "--p2p.listen.tcp=9222",
      "--p2p.listen.udp=9222",
    ]);
    expect(open.containers["op-node"]!.argv).not.to.include("--p2p.disable");
    const closed = planOf(enabled({ p2p: { enable: true, openFirewall: false } }));
    expect(closed.firewall).to.deep.equal({ allowedTCPPorts: [], allowedUDPPorts: [] });
  });

  it("warns when the L2 RPC is bound beyond loopback and lets settings override a flag", function () {
    const plan = planOf(
      enabled({
        l2Rpc: { address: "10.0.0.5", port: 18545 },
        services: { "op-batcher": { settings: { "max-channel-duration": 25 } } },
      }),
    );
    expect(plan.containers["op-reth"]!.argv).to.include.members([
      "--http.addr=10.0.0.5",
      "--http.port=18545",
    ]);
    expect(plan.containers["op-batcher"]!.argv).to.include("--max-channel-duration=25");
    expect(plan.warnings).to.include(
      "services.every-channel.op-stack.l2Rpc.address is 10.0.0.5: the L2 RPC is reachable beyond this host (the firewall does not open it)",
    );
  });

  it("gates op-challenger and op-dispute-mon on the prestate artifact when one is configured", function () {
    const plan = planOf(enabled({}, gatedDeployment));
    const prestate = gatedDeployment.prestate!;
    expect(Object.keys(plan.containers)).to.include.members(["op-challenger", "op-dispute-mon"]);
    expect(plan.containers["op-challenger"]!.gate).to.deep.equal(prestate);
    expect(plan.containers["op-dispute-mon"]!.gate).to.deep.equal(prestate);
    expect(plan.containers["op-node"]!.gate).to.equal(null);
    expect(plan.prestatePaths).to.deep.equal({
      "ec-op-challenger": prestate.file,
      "ec-op-dispute-mon": prestate.file,
    });
    expect(plan.containers["op-challenger"]!.volumes).to.include(
      "/var/lib/every-channel-op-stack/prestates:/prestate:ro",
    );
    expect(plan.containers["op-challenger"]!.argv).to.include(
      `--cannon-prestate=/prestate/${prestate.hash}.bin.gz`,
    );
    expect(plan.warnings).to.deep.equal([]);
    expect(failed(plan)).to.deep.equal([]);
  });

  it("refuses a service whose key file is not named anywhere", function () {
    const without = { ...deployment, secrets: { ...deployment.secrets } } as Json;
    delete (without.secrets as Json).proposerKey;
    const plan = planOf({ "op-stack": { enable: true, deployment: without, images: pinned } });
    expect(failed(plan)).to.deep.equal([
      "op-proposer reads OP_PROPOSER_PRIVATE_KEY from services.every-channel.op-stack.secrets.proposerKey, which is not set",
    ]);
    const fixed = planOf({
      "op-stack": {
        enable: true,
        deployment: without,
        images: pinned,
        secrets: { proposerKey: "/run/keys/proposer" },
      },
    });
    expect(fixed.containers["op-proposer"]!.secretEnv).to.deep.equal({
      OP_PROPOSER_PRIVATE_KEY: "/run/keys/proposer",
    });
    expect(failed(fixed)).to.deep.equal([]);
  });

  it("runs witness:run and relayer:run as restarting services with their key files", function () {
    const plan = planOf({
      daemons: {
        l2ChainId: 920093,
        witness: {
          enable: true,
          archive: "/var/lib/every-channel/archive.jsonl",
          signTo: "/srv/relay/signatures",
          privateKeyFile: "/run/keys/witness",
        },
        relayer: {
          enable: true,
          signatures: ["/srv/relay/signatures"],
          privateKeyFile: "/run/keys/relayer",
          restartSec: 30,
        },
      },
    });
    expect(plan.containers).to.deep.equal({});
    const witness = plan.daemons.witness!;
    expect(witness.argv).to.deep.equal([
      "/srv/every-channel-rail/node_modules/.bin/hardhat",
      "--network",
      "ecpForgeL2",
      "witness:run",
      "--archive",
      "/var/lib/every-channel/archive.jsonl",
      "--state",
      "/var/lib/every-channel/witness",
      "--sign-to",
      "/srv/relay/signatures",
    ]);
    expect(witness.secretEnv).to.deep.equal({ WITNESS_PRIVATE_KEY: "/run/keys/witness" });
    expect(witness.environment).to.deep.equal({
      ECP_FORGE_L2_RPC_URL: "http://127.0.0.1:8545",
      ECP_FORGE_L2_CHAIN_ID: "920093",
      ECP_DEPLOYMENTS_DIR: "/srv/every-channel-rail/deployments",
    });
    expect([witness.restart, witness.restartSec]).to.deep.equal(["always", 5]);
    const relayer = plan.daemons.relayer!;
    expect(relayer.argv.slice(3)).to.deep.equal([
      "relayer:run",
      "--signatures",
      "/srv/relay/signatures",
    ]);
    expect(relayer.secretEnv).to.deep.equal({ RELAYER_PRIVATE_KEY: "/run/keys/relayer" });
    expect(relayer.restartSec).to.equal(30);
    expect(plan.stateDirectories).to.deep.equal([
      "/var/lib/every-channel/relayer",
      "/var/lib/every-channel/witness",
    ]);
    expect(failed(plan)).to.deep.equal([]);
    expect(
      failed(planOf({ daemons: { witness: { enable: true, privateKeyFile: "/run/keys/w" } } })),
    ).to.deep.equal(["services.every-channel.daemons.witness.archive is not set"]);
    expect(
      failed(planOf({ daemons: { relayer: { enable: true, signatures: ["/s"] } } })),
    ).to.deep.equal(["services.every-channel.daemons.relayer.privateKeyFile is not set"]);
  });

  it("runs indexer:run on PGlite in its state folder, or on PostgreSQL from a credential", function () {
    const pglite = planOf({ daemons: { indexer: { enable: true } } });
    const indexer = pglite.daemons.indexer!;
    expect(indexer.argv).to.deep.equal([
      "/srv/every-channel-rail/node_modules/.bin/hardhat",
      "--network",
      "ecpForgeL2",
      "indexer:run",
      "--listen",
      "127.0.0.1:42069",
      "--data",
      "/var/lib/every-channel/indexer",
    ]);
    expect(indexer.secretEnv).to.deep.equal({});
    expect(indexer.environment).to.deep.equal({
      ECP_FORGE_L2_RPC_URL: "http://127.0.0.1:8545",
      ECP_DEPLOYMENTS_DIR: "/srv/every-channel-rail/deployments",
    });
    expect([indexer.restart, indexer.restartSec]).to.deep.equal(["always", 5]);
    expect(pglite.stateDirectories).to.deep.equal(["/var/lib/every-channel/indexer"]);
    expect(pglite.firewall).to.deep.equal({ allowedTCPPorts: [], allowedUDPPorts: [] });
    expect(failed(pglite)).to.deep.equal([]);

    const postgres = planOf({
      daemons: {
        indexer: {
          enable: true,
          listen: "[::1]:8080",
          databaseUrlFile: "/run/keys/indexer-db",
          extraArgs: ["--schema", "rail"],
        },
      },
    });
    expect(postgres.daemons.indexer!.argv.slice(3)).to.deep.equal([
      "indexer:run",
      "--listen",
      "[::1]:8080",
      "--data",
      "/var/lib/every-channel/indexer",
      "--schema",
      "rail",
    ]);
    expect(postgres.daemons.indexer!.secretEnv).to.deep.equal({
      DATABASE_URL: "/run/keys/indexer-db",
    });
    expect(failed(postgres)).to.deep.equal([]);

    for (const listen of ["42069", "localhost", "127.0.0.1:0", "127.0.0.1:70000", "a b:1", ":80"])
      expect(
        failed(planOf({ daemons: { indexer: { enable: true, listen } } })),
        listen,
      ).to.deep.equal([
        `services.every-channel.daemons.indexer.listen is ${listen}: expected host:port, e.g. 127.0.0.1:42069`,
      ]);
    // A disabled indexer's listen is not checked.
    expect(failed(planOf({ daemons: { indexer: { listen: "nowhere" } } }))).to.deep.equal([]);
  });

  it("hands the indexer's DATABASE_URL over as a systemd credential (lib and pkgs stubbed)", function () {
    const config = moduleConfigOf({
      daemons: { indexer: { enable: true, databaseUrlFile: "/run/keys/indexer-db" } },
    });
    const unit = (config.systemd as { services: Record<string, Json> }).services[
      "every-channel-indexer"
    ]!;
    const serviceConfig = unit.serviceConfig as Json;
    expect(serviceConfig.User).to.equal("every-channel");
    expect(serviceConfig.Restart).to.equal("always");
    expect(serviceConfig.LoadCredential).to.deep.equal(["DATABASE_URL:/run/keys/indexer-db"]);
    const start = (serviceConfig.ExecStart as { text: string }).text;
    expect(start).to.contain('DATABASE_URL="$(< "$CREDENTIALS_DIRECTORY/DATABASE_URL")"');
    expect(start).to.contain(
      "exec '/srv/every-channel-rail/node_modules/.bin/hardhat' '--network' 'ecpForgeL2' 'indexer:run' '--listen' '127.0.0.1:42069' '--data' '/var/lib/every-channel/indexer'",
    );
    expect(unit.environment).to.not.have.property("DATABASE_URL");
    expect(config.systemd)
      .to.have.nested.property("tmpfiles.rules")
      .that.includes("d /var/lib/every-channel/indexer 0750 every-channel every-channel -");
    const pglite = moduleConfigOf({ daemons: { indexer: { enable: true } } });
    const plain = (pglite.systemd as { services: Record<string, Json> }).services[
      "every-channel-indexer"
    ]!;
    expect((plain.serviceConfig as Json).LoadCredential).to.deep.equal([]);
  });

  describe("default.nix's systemd units (lib and pkgs stubbed)", function () {
    let config: Json;
    before(function () {
      config = moduleConfigOf({
        ...enabled({}, gatedDeployment),
        daemons: {
          witness: { enable: true, archive: "/srv/a.jsonl", privateKeyFile: "/run/keys/witness" },
        },
      });
    });
    const unit = (name: string): Json =>
      (config.systemd as { services: Record<string, Json> }).services[name]!;
    const serviceConfig = (name: string): Json => unit(name).serviceConfig as Json;
    const script = (value: unknown): string => (value as { text: string }).text;

    it("runs each container with podman on the host network, its credentials and volumes", function () {
      const services = Object.keys((config.systemd as { services: Json }).services);
      expect(services).to.deep.equal([
        "ec-op-batcher",
        "ec-op-challenger",
        "ec-op-dispute-mon",
        "ec-op-node",
        "ec-op-proposer",
        "ec-op-reth",
        "every-channel-witness",
      ]);
      const start = script(serviceConfig("ec-op-batcher").ExecStart);
      expect(start).to.contain(
        "exec /nix/store/podman/bin/podman run --rm --replace --name ec-op-batcher --network=host",
      );
      expect(start).to.contain(
        'OP_BATCHER_PRIVATE_KEY="$(< "$CREDENTIALS_DIRECTORY/OP_BATCHER_PRIVATE_KEY")"',
      );
      expect(start).to.contain("--env OP_BATCHER_PRIVATE_KEY");
      expect(start).to.contain(
        `'us-docker.pkg.dev/oplabs-tools-artifacts/images/op-batcher:v1.16.13@${DIGEST(1)}'`,
      );
      expect(serviceConfig("ec-op-batcher").LoadCredential).to.deep.equal([
        `OP_BATCHER_PRIVATE_KEY:${gatedDeployment.secrets.batcherKey}`,
      ]);
      expect(serviceConfig("ec-op-batcher").Restart).to.equal("always");
      expect(serviceConfig("ec-op-reth").LoadCredential).to.deep.equal([
        `jwt:${gatedDeployment.secrets.jwt}`,
      ]);
      expect(script(serviceConfig("ec-op-reth").ExecStart)).to.contain(
        '--volume "$CREDENTIALS_DIRECTORY/jwt:/secrets/jwt.hex:ro"',
      );
      expect(unit("ec-op-reth").wantedBy).to.deep.equal(["multi-user.target"]);
    });

    it("starts the dispute services from a path unit, behind a prestate sha256 check", function () {
      expect(unit("ec-op-challenger").wantedBy).to.deep.equal([]);
      const check = script(serviceConfig("ec-op-challenger").ExecCondition);
      expect(check).to.contain(`file='${gatedDeployment.prestate!.file}'`);
      expect(check).to.contain(`if [ "$actual" != '${"cd".repeat(32)}' ]; then`);
      expect(check).to.contain(
        'echo "op-challenger: not started: Cannon absolute prestate $file is absent"',
      );
      expect((config.systemd as { paths: Json }).paths).to.deep.equal({
        "ec-op-challenger": {
          description: `Start ec-op-challenger once the Cannon absolute prestate ${gatedDeployment.prestate!.file} exists`,
          wantedBy: ["multi-user.target"],
          pathConfig: {
            PathExists: gatedDeployment.prestate!.file,
            PathChanged: gatedDeployment.prestate!.file,
            Unit: "ec-op-challenger.service",
          },
        },
        "ec-op-dispute-mon": {
          description: `Start ec-op-dispute-mon once the Cannon absolute prestate ${gatedDeployment.prestate!.file} exists`,
          wantedBy: ["multi-user.target"],
          pathConfig: {
            PathExists: gatedDeployment.prestate!.file,
            PathChanged: gatedDeployment.prestate!.file,
            Unit: "ec-op-dispute-mon.service",
          },
        },
      });
    });

    it("runs the witness as its own user with its key as a credential, restarting always", function () {
      const witness = serviceConfig("every-channel-witness");
      expect(witness.User).to.equal("every-channel");
      expect(witness.Restart).to.equal("always");
      expect(witness.LoadCredential).to.deep.equal(["WITNESS_PRIVATE_KEY:/run/keys/witness"]);
      expect(script(witness.ExecStart)).to.contain(
        "exec '/srv/every-channel-rail/node_modules/.bin/hardhat' '--network' 'ecpForgeL2' 'witness:run' '--archive' '/srv/a.jsonl'",
      );
      expect(config.systemd)
        .to.have.nested.property("tmpfiles.rules")
        .that.includes("d /var/lib/every-channel/witness 0750 every-channel every-channel -");
      expect(config.networking).to.deep.equal({
        firewall: { allowedTCPPorts: [], allowedUDPPorts: [] },
      });
    });
  });

  it("gives op-dispute-mon the proposer and challenger as its honest actors", function () {
    const monitor = gatedDeployment.services["op-dispute-mon"]!;
    expect(monitor.settings["honest-actors"]).to.deep.equal([ROLES.proposer, ROLES.challenger]);
  });
});
