import { expect } from "chai";
import { createPublicClient, http } from "viem";

import { ECP_FORGE_L2_DEFAULT_CHAIN_ID } from "../../lib/config/chains";
import { startAnvil } from "../../lib/node/anvil";

describe("anvil node helper", function () {
  it("starts anvil on 127.0.0.1 with the requested chain id and stops it", async function () {
    const node = await startAnvil({ chainId: ECP_FORGE_L2_DEFAULT_CHAIN_ID });
    try {
      expect(node.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      const client = createPublicClient({ transport: http(node.url) });
      expect(await client.getChainId()).to.equal(ECP_FORGE_L2_DEFAULT_CHAIN_ID);
      expect(await client.getBlockNumber()).to.equal(0n);
    } finally {
      await node.stop();
    }
    const client = createPublicClient({ transport: http(node.url, { retryCount: 0 }) });
    let reachable = true;
    try {
      await client.getChainId();
    } catch {
      reachable = false;
    }
    expect(reachable, "anvil still answers after stop()").to.equal(false);
  });
});
