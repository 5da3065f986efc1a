// Durability at process level: a `relayer:run --listen` process on anvil accepts signatures over
// HTTP, is killed (SIGKILL) before its next submission round, and once restarted on the same
// journal submits everything it had accepted.
import { expect } from "chai";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPublicClient, http, type Abi, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { ECP_FORGE_L2_DEFAULT_CHAIN_ID } from "../../lib/config/chains";
import { ExchangeClient } from "../../lib/exchange/client";
import { readObservationLedgerDomain } from "../../lib/ledger/domain";
import { freePort, startAnvil, type StartAnvilReturnType } from "../../lib/node/anvil";
import {
  devAddress,
  devKey,
  ecpForgeOperatorSecrets,
  OperatorProcesses,
  type OperatorProcess,
} from "../support/operator-processes";
import { signatureFile, syntheticContent } from "./support";

const EPOCHS = 4;

describe("exchange: a relayer killed between accepting and submitting", function () {
  let node: StartAnvilReturnType;
  let dir: string;
  let env: Record<string, string>;
  const processes = new OperatorProcesses(() => env);

  before(async function () {
    node = await startAnvil({ chainId: ECP_FORGE_L2_DEFAULT_CHAIN_ID, accounts: 8 });
    dir = await mkdtemp(path.join(tmpdir(), "exchange-restart-"));
    env = ecpForgeOperatorSecrets(
      node.url,
      ECP_FORGE_L2_DEFAULT_CHAIN_ID,
      path.join(dir, "deployments"),
    );
  });

  after(async function () {
    await processes.stopAll();
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function waitFor(
    what: () => Promise<boolean> | boolean,
    label: string,
    p: OperatorProcess,
  ) {
    const deadline = Date.now() + 60_000;
    while (!(await what())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}\n${p.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it("restarts on its journal and finalizes every epoch it had accepted", async function () {
    const deployed = await processes.run(["deploy"]);
    expect(deployed.code, deployed.output).to.equal(0);
    const ledger = JSON.parse(
      await readFile(
        path.join(dir, "deployments", "ecpForgeL2", "EveryChannelObservationLedger.json"),
        "utf8",
      ),
    ) as { address: Address; abi: Abi };
    const client = createPublicClient({ transport: http(node.url) });
    const domain = await readObservationLedgerDomain(client, ledger.address);
    const port = await freePort();
    const args = [
      "relayer:run",
      "--listen",
      `127.0.0.1:${port}`,
      "--state",
      path.join(dir, "relayer"),
      "--hold",
      "0",
    ];
    // A round at start (nothing to submit), then none for ten minutes.
    const first = processes.start([...args, "--poll", "600000"]);
    await waitFor(() => first.output().includes("exchange listening on"), "the exchange", first);

    const now = BigInt(Date.now()) - 120_000n;
    const contents = Array.from({ length: EPOCHS }, (_, i) => ({
      ...syntheticContent(i, 1),
      observedUnixMs: now + BigInt(i) * 6_000n,
    }));
    const exchange = new ExchangeClient({ url: `http://127.0.0.1:${port}` });
    const witnesses = [4, 5].map((i) => privateKeyToAccount(devKey(i)));
    for (const content of contents)
      for (const w of witnesses) {
        const file = await signatureFile(w, domain, content);
        expect((await exchange.postSignature(file)).status).to.equal("accepted");
      }
    expect((await exchange.status()).accepted).to.equal(2 * EPOCHS);
    await processes.stop(first.child, "SIGKILL");
    expect(await client.getTransactionCount({ address: devAddress(2) })).to.equal(0); // nothing submitted

    const second = processes.start([...args, "--poll", "300"]);
    const streamHash = contents[0]!.streamHash;
    await waitFor(
      async () => {
        const [hash, sequence] = (await client.readContract({
          address: ledger.address,
          abi: ledger.abi,
          functionName: "finalizedHead",
          args: [streamHash],
        })) as [Hex, bigint, bigint];
        return !/^0x0+$/.test(hash) && sequence === BigInt(EPOCHS - 1);
      },
      `all ${EPOCHS} epochs to finalize`,
      second,
    );
    expect(second.output()).to.include(`: ${2 * EPOCHS} signatures, 0 proposals`);
    // The replays a witness sends after the restart are duplicates.
    const again = await signatureFile(witnesses[0]!, domain, contents[0]!);
    expect((await exchange.postSignature(again)).status).to.equal("duplicate");
    await processes.stop(second.child, "SIGTERM");
    expect(second.output()).to.match(/relayer: stopped; .*"finalized":4/);
  });
});
