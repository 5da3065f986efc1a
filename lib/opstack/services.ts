/**
 * Every OP Stack service's configuration, as a flat `settings` attrset (flag name → value) per
 * service, rendered to command-line flags by one rule that `nix/modules/ec-op-stack/plan.nix`
 * repeats: keys in sorted order, `true` → `--key`, `false` and `null` → omitted, a list → joined with
 * commas, anything else → `--key=value`. Secrets never appear in settings: a service reads each
 * from a file into the environment variable its flag also answers to (`secretEnv`).
 *
 * Paths in settings are the paths inside the service's container: `/config` (genesis.json,
 * rollup.json), `/secrets/jwt.hex`, `/data` (the service's state) and `/prestate/<hash>.bin.gz`.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { REPOSITORY_ROOT, type OpStackService, type RollupConfig } from "./rollup-config";

export type SettingValue = string | number | boolean | null | readonly string[];
export type Settings = Readonly<Record<string, SettingValue>>;

/** Where an image pin comes from and what it is. */
export interface ImagePin {
  repository: string;
  tag: string;
  /** `sha256:…`, or null while no digest is pinned. */
  digest: string | null;
}

/** The image pins shared with the NixOS module (`nix/modules/ec-op-stack/images.json`). */
export const IMAGE_PINS_FILE = path.join(REPOSITORY_ROOT, "nix/modules/ec-op-stack/images.json");

/** Reads the checked-in image pins, with the configuration's overrides applied. */
export function resolveImages(
  config: Pick<RollupConfig, "images">,
): Record<OpStackService, ImagePin> {
  const pins = JSON.parse(readFileSync(IMAGE_PINS_FILE, "utf8")) as {
    repository: string;
    images: Record<OpStackService, { tag: string; digest: string | null }>;
  };
  const out = {} as Record<OpStackService, ImagePin>;
  for (const [name, pin] of Object.entries(pins.images) as [OpStackService, ImagePin][]) {
    const override = config.images[name];
    out[name] = {
      repository: `${pins.repository}/${name}`,
      tag: override?.tag ?? pin.tag,
      digest: override === undefined ? pin.digest : override.digest,
    };
  }
  return out;
}

/** `repository:tag@digest`, or `repository:tag` while no digest is pinned. */
export function imageReference(pin: ImagePin): string {
  return `${pin.repository}:${pin.tag}${pin.digest === null ? "" : `@${pin.digest}`}`;
}

/** Renders settings to flags (the rule is in this file's header; `plan.nix` repeats it). */
export function renderFlags(settings: Settings): string[] {
  const flags: string[] = [];
  for (const key of Object.keys(settings).sort()) {
    const value = settings[key];
    if (value === null || value === false || value === undefined) continue;
    if (value === true) flags.push(`--${key}`);
    else if (Array.isArray(value)) flags.push(`--${key}=${value.join(",")}`);
    else flags.push(`--${key}=${String(value)}`);
  }
  return flags;
}

/** The addresses a deployment gives the services. */
export interface ChainAddresses {
  disputeGameFactoryProxy: string;
  batchInbox: string;
}

/** Whether the dispute path (op-challenger, op-dispute-mon) may start. */
export type PrestateGate =
  | { state: "unconfigured"; line: string }
  | { state: "absent" | "mismatch"; line: string }
  | { state: "ready"; line: string };

export const DISPUTE_SERVICES = ["op-challenger", "op-dispute-mon"] as const;

/** Checks the Cannon absolute prestate artifact; `line` is the one line the scripts print. */
export function checkPrestate(prestate: RollupConfig["prestate"]): PrestateGate {
  const services = DISPUTE_SERVICES.join(", ");
  if (prestate === undefined)
    return {
      state: "unconfigured",
      line: `${services}: not started: no Cannon absolute prestate configured (prestate.hash, prestate.sha256, prestate.file)`,
    };
  if (!existsSync(prestate.file))
    return {
      state: "absent",
      line: `${services}: not started: Cannon absolute prestate ${prestate.file} is absent`,
    };
  const actual = createHash("sha256").update(readFileSync(prestate.file)).digest("hex");
  if (actual !== prestate.sha256)
    return {
      state: "mismatch",
      line: `${services}: not started: Cannon absolute prestate ${prestate.file} has sha256 ${actual}, configured ${prestate.sha256}`,
    };
  return {
    state: "ready",
    line: `${services}: prestate ${prestate.hash} present and its sha256 matches; configured`,
  };
}

/** One service as `services.json` records it. */
export interface ServiceEntry {
  image: string;
  /** Arguments before the flags (op-reth's `node` subcommand). */
  command: readonly string[];
  settings: Settings;
  /** Environment variable → name of the secret (a key of `secrets` in services.json). */
  secretEnv: Readonly<Record<string, string>>;
}

/** The non-secret description of the chain's services that setup-rollup writes as services.json. */
export interface ServicesFile {
  schema: "every.channel/op-stack-services/v1";
  name: string;
  l1ChainId: number;
  l2ChainId: number;
  addresses: ChainAddresses;
  prestate: { hash: string; sha256: string; file: string } | null;
  /** Secret name → host file the service reads it from. */
  secrets: Readonly<Record<string, string>>;
  services: Readonly<Partial<Record<OpStackService, ServiceEntry>>>;
}

/** Endpoint settings: inline URLs go into settings, URLs from a secrets file into secretEnv. */
function endpointSetting(
  endpoint: string | { file: string },
  flag: string,
  env: string,
  secret: string,
  settings: Record<string, SettingValue>,
  secretEnv: Record<string, string>,
): void {
  if (typeof endpoint === "string") settings[flag] = endpoint;
  else secretEnv[env] = secret;
}

/** Builds services.json for the chain; challenger and dispute monitor only with a prestate configured. */
export function buildServices(config: RollupConfig, addresses: ChainAddresses): ServicesFile {
  const images = resolveImages(config);
  const n = config.network;
  const l2Rpc = `http://127.0.0.1:${n.l2RpcPort}`;
  const rollupRpc = `http://127.0.0.1:${n.opNodeRpcPort}`;
  const secrets: Record<string, string> = {
    jwt: path.join(config.paths.outDir, "jwt.hex"),
    sequencerKey: config.secrets.sequencerKey,
    batcherKey: config.secrets.batcherKey,
    proposerKey: config.secrets.proposerKey,
    challengerKey: config.secrets.challengerKey,
  };
  if (typeof config.l1.rpcUrl !== "string") secrets.l1RpcUrl = config.l1.rpcUrl.file;
  if (config.l1.beaconUrl !== undefined && typeof config.l1.beaconUrl !== "string")
    secrets.l1BeaconUrl = config.l1.beaconUrl.file;

  const l1 = (
    prefix: string,
    flag: string,
    settings: Record<string, SettingValue>,
    env: Record<string, string>,
  ): void =>
    endpointSetting(
      config.l1.rpcUrl,
      flag,
      `${prefix}_${flag.replace(/[-.]/g, "_").toUpperCase()}`,
      "l1RpcUrl",
      settings,
      env,
    );
  const beacon = (
    prefix: string,
    flag: string,
    settings: Record<string, SettingValue>,
    env: Record<string, string>,
  ): void => {
    if (config.l1.beaconUrl !== undefined)
      endpointSetting(
        config.l1.beaconUrl,
        flag,
        `${prefix}_${flag.replace(/[-.]/g, "_").toUpperCase()}`,
        "l1BeaconUrl",
        settings,
        env,
      );
  };

  const services: Partial<Record<OpStackService, ServiceEntry>> = {};
  /**
   * An `op-*` service run without a subcommand that reads the L1 RPC as `--l1-eth-rpc` (and the
   * beacon as `--<beaconFlag>` when given), its keys from the secrets named in `secretEnv`.
   */
  const opService = (
    name: OpStackService,
    envPrefix: string,
    secretEnv: Record<string, string>,
    settings: Record<string, SettingValue>,
    beaconFlag?: string,
  ): void => {
    l1(envPrefix, "l1-eth-rpc", settings, secretEnv);
    if (beaconFlag !== undefined) beacon(envPrefix, beaconFlag, settings, secretEnv);
    services[name] = { image: imageReference(images[name]), command: [], settings, secretEnv };
  };

  services["op-reth"] = {
    image: imageReference(images["op-reth"]),
    command: ["node"],
    settings: {
      chain: "/config/genesis.json",
      datadir: "/data",
      http: true,
      "http.addr": n.l2RpcAddress,
      "http.port": n.l2RpcPort,
      "http.api": ["eth", "net", "web3", "debug", "txpool"],
      "authrpc.addr": n.engineAddress,
      "authrpc.port": n.enginePort,
      "authrpc.jwtsecret": "/secrets/jwt.hex",
      addr: n.p2p.enabled ? "0.0.0.0" : "127.0.0.1",
      port: n.p2p.opRethPort,
      "disable-discovery": !n.p2p.enabled,
    },
    secretEnv: {},
  };

  const node: Record<string, SettingValue> = {
    l2: `http://127.0.0.1:${n.enginePort}`,
    "l2.jwt-secret": "/secrets/jwt.hex",
    "l2.enginekind": "reth",
    "rollup.config": "/config/rollup.json",
    "rpc.addr": n.opNodeRpcAddress,
    "rpc.port": n.opNodeRpcPort,
    "sequencer.enabled": true,
    "sequencer.l1-confs": 5,
    "verifier.l1-confs": 4,
    "safedb.path": "/data/safedb",
    "p2p.disable": !n.p2p.enabled,
  };
  if (n.p2p.enabled) {
    node["p2p.listen.ip"] = "0.0.0.0";
    node["p2p.listen.tcp"] = n.p2p.opNodePort;
    node["p2p.listen.udp"] = n.p2p.opNodePort;
    if (n.p2p.advertiseIp !== undefined) node["p2p.advertise.ip"] = n.p2p.advertiseIp;
  }
  const nodeEnv: Record<string, string> = { OP_NODE_P2P_SEQUENCER_KEY: "sequencerKey" };
  endpointSetting(config.l1.rpcUrl, "l1", "OP_NODE_L1_ETH_RPC", "l1RpcUrl", node, nodeEnv);
  beacon("OP_NODE", "l1.beacon", node, nodeEnv);
  services["op-node"] = {
    image: imageReference(images["op-node"]),
    command: [],
    settings: node,
    secretEnv: nodeEnv,
  };

  opService(
    "op-batcher",
    "OP_BATCHER",
    { OP_BATCHER_PRIVATE_KEY: "batcherKey" },
    {
      "l2-eth-rpc": l2Rpc,
      "rollup-rpc": rollupRpc,
      "data-availability-type": config.dataAvailability,
      "batch-type": 1,
      "wait-node-sync": true,
      "rpc.addr": "127.0.0.1",
      "rpc.port": n.batcherRpcPort,
    },
  );

  opService(
    "op-proposer",
    "OP_PROPOSER",
    { OP_PROPOSER_PRIVATE_KEY: "proposerKey" },
    {
      "rollup-rpc": rollupRpc,
      "game-factory-address": addresses.disputeGameFactoryProxy,
      "game-type": config.proposer.gameType,
      "proposal-interval": config.proposer.proposalInterval,
      "wait-node-sync": true,
      "rpc.addr": "127.0.0.1",
      "rpc.port": n.proposerRpcPort,
    },
  );

  if (config.prestate !== undefined) {
    opService(
      "op-challenger",
      "OP_CHALLENGER",
      { OP_CHALLENGER_PRIVATE_KEY: "challengerKey" },
      {
        "l2-eth-rpc": l2Rpc,
        "rollup-rpc": rollupRpc,
        "game-factory-address": addresses.disputeGameFactoryProxy,
        "game-types": ["cannon", "permissioned"],
        datadir: "/data",
        "cannon-rollup-config": "/config/rollup.json",
        "cannon-l2-genesis": "/config/genesis.json",
        "cannon-bin": "/usr/local/bin/cannon",
        "cannon-server": "/usr/local/bin/op-program",
        "cannon-prestate": `/prestate/${path.basename(config.prestate.file)}`,
      },
      "l1-beacon",
    );

    opService(
      "op-dispute-mon",
      "OP_DISPUTE_MON",
      {},
      {
        "rollup-rpc": rollupRpc,
        "game-factory-address": addresses.disputeGameFactoryProxy,
        "honest-actors": [config.roles.proposer, config.roles.challenger],
      },
    );
  }

  return {
    schema: "every.channel/op-stack-services/v1",
    name: config.name,
    l1ChainId: config.l1.chainId,
    l2ChainId: config.l2.chainId,
    addresses,
    prestate: config.prestate === undefined ? null : { ...config.prestate },
    secrets,
    services,
  };
}

/** The services whose image has no pinned digest, one line each. */
export function unpinnedImageLines(config: Pick<RollupConfig, "images">): string[] {
  return Object.entries(resolveImages(config))
    .filter(([, pin]) => pin.digest === null)
    .map(
      ([name, pin]) =>
        `image ${name} ${pin.tag} has no pinned digest; the NixOS module refuses it until one is pinned`,
    );
}
