import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { parse } from "smol-toml";

import { mergeIntent } from "../../lib/opstack/intent";
import {
  parseRollupConfig,
  REPOSITORY_ROOT,
  RollupConfigError,
} from "../../lib/opstack/rollup-config";
import { renderFlags } from "../../lib/opstack/services";
import { ROLES, sepoliaConfig, writeSecrets } from "./support/chain-config";

type Json = Record<string, unknown>;

describe("lib/opstack chain configuration", function () {
  let dir: string;
  let base: () => Json;

  before(function () {
    dir = mkdtempSync(path.join(tmpdir(), "rollup-config-"));
    const secrets = writeSecrets(dir);
    base = () => JSON.parse(JSON.stringify(sepoliaConfig(dir, secrets))) as Json;
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  const refusal = (edit: (config: Json) => void): string => {
    const config = base();
    edit(config);
    try {
      parseRollupConfig(config, "chain.json");
    } catch (error) {
      expect(error).to.be.instanceOf(RollupConfigError);
      return (error as RollupConfigError).shortMessage;
    }
    throw new Error("the configuration was accepted");
  };

  it("accepts a complete Sepolia configuration and fills the documented defaults", function () {
    const config = parseRollupConfig(base(), path.join(dir, "chain.json"));
    expect(config.dataAvailability).to.equal("blobs");
    expect(config.eip1559).to.deep.equal({
      denominatorCanyon: 250,
      denominator: 50,
      elasticity: 6,
    });
    expect(config.network.l2RpcAddress).to.equal("127.0.0.1");
    expect(config.network.p2p.enabled).to.equal(false);
    expect(config.proposer).to.deep.equal({ proposalInterval: "1h", gameType: 1 });
  });

  const cases: [string, (config: Json) => void, string][] = [
    [
      "a malformed role address",
      (c) => ((c.roles as Json).batcher = "0x12"),
      'chain.json: roles.batcher: must be a 20-byte 0x-prefixed hex address (got "0x12")',
    ],
    [
      "a zero role address",
      (c) => ((c.roles as Json).challenger = `0x${"0".repeat(40)}`),
      `chain.json: roles.challenger: must not be the zero address (got "0x${"0".repeat(40)}")`,
    ],
    ["a missing section", (c) => delete c.l2, "chain.json: l2: is required"],
    [
      "an unknown field",
      (c) => (c.sequencerUrl = "x"),
      "chain.json: (top level): unknown field sequencerUrl",
    ],
    [
      "a private key anywhere in the file",
      (c) => ((c.feeVaults as Json).note = `0x${"ab".repeat(32)}`),
      "chain.json: feeVaults.note: looks like a private key; keys belong in secrets files named under secrets.*, never in this file",
    ],
    [
      "a key file inside the repository",
      (c) => ((c.secrets as Json).batcherKey = path.join(REPOSITORY_ROOT, "batcher.key")),
      `chain.json: secrets.batcherKey: is inside the repository; keep keys in a secrets folder outside it (got "${path.join(REPOSITORY_ROOT, "batcher.key")}")`,
    ],
    [
      "a devnet without its bootstrap owners",
      (c) => {
        c.target = "devnet";
        c.l1 = { chainId: 31337, rpcUrl: "http://127.0.0.1:8545" };
      },
      "chain.json: devnet: is required when target is devnet",
    ],
    [
      "a Sepolia chain without a beacon endpoint",
      (c) => delete (c.l1 as Json).beaconUrl,
      "chain.json: l1.beaconUrl: is required when target is sepolia (op-node reads blobs from the beacon API)",
    ],
    [
      "an L1 endpoint that is neither a URL nor a secrets file",
      (c) => ((c.l1 as Json).rpcUrl = "sepolia"),
      'chain.json: l1.rpcUrl: must be an http(s) URL or { "file": "<secrets file>" } (got "sepolia")',
    ],
    [
      "a prestate artifact not named after its hash",
      (c) =>
        (c.prestate = {
          hash: `0x03${"00".repeat(31)}`,
          sha256: "ab".repeat(32),
          file: "/var/lib/prestate.bin.gz",
        }),
      `chain.json: prestate.file: must be named 0x03${"00".repeat(31)}.bin.gz (the artifact is named after its prestate hash) (got "/var/lib/prestate.bin.gz")`,
    ],
    [
      "an image digest that is not a sha256 digest",
      (c) => (c.images = { "op-node": { tag: "v1.19.2", digest: "latest" } }),
      'chain.json: images.op-node.digest: must be sha256:<64 hex digits> (got "latest")',
    ],
  ];
  for (const [what, edit, message] of cases)
    it(`refuses ${what} in one line naming the field`, function () {
      expect(refusal(edit)).to.equal(message);
    });

  it("renders settings to flags: sorted names, true as a bare flag, false and null left out, lists joined", function () {
    expect(
      renderFlags({ "p2p.disable": false, l1: "u", b: true, a: 3, list: ["x", "y"], n: null }),
    ).to.deep.equal(["--a=3", "--b", "--l1=u", "--list=x,y"]);
  });

  it("merges into op-deployer's intent and gives the same text when merged again", function () {
    const config = parseRollupConfig(base(), path.join(dir, "chain.json"));
    const init = [
      'configType = "standard-overrides"',
      'opDeployerVersion = "v0.7.1"',
      "l1ChainID = 11155111",
      'opcmAddress = "0x1111111111111111111111111111111111111111"',
      'l1ContractsLocator = "embedded"',
      'l2ContractsLocator = "embedded"',
      "",
      "[[chains]]",
      `id = "0x${(920093).toString(16).padStart(64, "0")}"`,
      "gasLimit = 60000000",
      "[chains.roles]",
      `l1ProxyAdminOwner = "0x${"0".repeat(40)}"`,
      "",
    ].join("\n");
    const once = mergeIntent(init, config, undefined);
    expect(mergeIntent(once, config, undefined)).to.equal(once);
    const intent = parse(once) as Json;
    expect(intent.opcmAddress).to.equal("0x1111111111111111111111111111111111111111");
    expect(((intent.chains as Json[])[0]!.roles as Json).l1ProxyAdminOwner).to.equal(
      ROLES.l1ProxyAdminOwner,
    );
    expect(() =>
      mergeIntent(init.replace(/id = ".*"/, `id = "0x${"0".repeat(63)}1"`), config, undefined),
    ).to.throw(
      /chains: no entry with id 0x0+e0a1d \(l2\.chainId 920093\); was the workdir initialised for another chain\?/,
    );
  });
});
