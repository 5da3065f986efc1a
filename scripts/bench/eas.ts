/**
 * The Ethereum Attestation Service beside our ledger, on the same chain: `SchemaRegistry` and `EAS`
 * deployed from the published bytecode of `@ethereum-attestation-service/eas-contracts` (EAS pins
 * solc 0.8.29; this project compiles only with 0.8.30, so its sources are not recompiled), a schema
 * for the 224-byte `ObservationHeader`, and the cost of the same header attested by the same
 * witnesses: one `attest` per witness, or all of them relayed in one `multiAttestByDelegation`.
 */
import { EAS__factory } from "@ethereum-attestation-service/eas-contracts/dist/typechain-types/factories/contracts/EAS__factory";
import { SchemaRegistry__factory } from "@ethereum-attestation-service/eas-contracts/dist/typechain-types/factories/contracts/SchemaRegistry__factory";
import {
  encodePacked,
  getContract,
  keccak256,
  parseSignature,
  zeroAddress,
  type Address,
  type Hex,
} from "viem";
import type { PrivateKeyAccount } from "viem/accounts";

import type { L1FeeParameters } from "../../lib/opstack/fee-model";
import { deploy, send, sumCosts, type BenchChain, type TxCost } from "./chain";
import { encodeHeader, nextHeader, streamCursor } from "./headers";

/** The EAS schema of an observation header, field for field. */
export const OBSERVATION_HEADER_SCHEMA =
  "bytes32 streamHash,bytes32 epochHash,bytes32 parentObservationHash,bytes32 dataRoot,bytes32 locatorHash,uint64 observedUnixMs,uint64 sequence";

const easAbi = EAS__factory.abi;
const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;

export interface EasDeployment {
  eas: Address;
  registry: Address;
  schema: Hex;
}

export async function deployEas(
  chain: BenchChain,
  deployer: PrivateKeyAccount,
  fees: L1FeeParameters,
): Promise<EasDeployment> {
  const registry = await deploy(
    chain,
    deployer,
    SchemaRegistry__factory.abi,
    SchemaRegistry__factory.bytecode as Hex,
    [],
  );
  const eas = await deploy(chain, deployer, easAbi, EAS__factory.bytecode as Hex, [registry]);
  // Observations are final: the schema is not revocable, like the ledger's finalizations.
  await send({
    chain,
    from: deployer,
    to: registry,
    abi: SchemaRegistry__factory.abi,
    functionName: "register",
    args: [OBSERVATION_HEADER_SCHEMA, zeroAddress, false],
    fees,
  });
  const schema = keccak256(
    encodePacked(["string", "address", "bool"], [OBSERVATION_HEADER_SCHEMA, zeroAddress, false]),
  );
  return { eas, registry, schema };
}

function requestData(data: Hex) {
  return {
    recipient: zeroAddress,
    expirationTime: 0n,
    revocable: false,
    refUID: ZERO_HASH,
    data,
    value: 0n,
  } as const;
}

/** Cost of one observation attested by each witness with its own `attest` transaction. */
export async function easAttestPerWitness(
  chain: BenchChain,
  deployment: EasDeployment,
  witnesses: readonly PrivateKeyAccount[],
  data: Hex,
  fees: L1FeeParameters,
): Promise<TxCost> {
  const costs: TxCost[] = [];
  for (const witness of witnesses)
    costs.push(
      await send({
        chain,
        from: witness,
        to: deployment.eas,
        abi: easAbi,
        functionName: "attest",
        args: [{ schema: deployment.schema, data: requestData(data) }],
        fees,
      }),
    );
  return sumCosts(costs);
}

/**
 * Cost of `observations` headers, each attested by every witness, relayed in one
 * `multiAttestByDelegation`: one request per witness carrying its attestations and their EIP-712
 * signatures (nonces increasing, as EAS requires).
 */
export async function easMultiAttestByDelegation(
  chain: BenchChain,
  deployment: EasDeployment,
  relayer: PrivateKeyAccount,
  witnesses: readonly PrivateKeyAccount[],
  datas: readonly Hex[],
  fees: L1FeeParameters,
): Promise<TxCost> {
  const contract = getContract({
    address: deployment.eas,
    abi: easAbi,
    client: chain.publicClient,
  });
  const [, name, version, chainId, verifyingContract] = await contract.read.eip712Domain();
  const domain = { name, version, chainId: Number(chainId), verifyingContract };
  const requests = [];
  for (const witness of witnesses) {
    const firstNonce = await contract.read.getNonce([witness.address]);
    const signatures = [];
    for (let i = 0; i < datas.length; i++) {
      const signature = await witness.signTypedData({
        domain,
        types: {
          Attest: [
            { name: "attester", type: "address" },
            { name: "schema", type: "bytes32" },
            { name: "recipient", type: "address" },
            { name: "expirationTime", type: "uint64" },
            { name: "revocable", type: "bool" },
            { name: "refUID", type: "bytes32" },
            { name: "data", type: "bytes" },
            { name: "value", type: "uint256" },
            { name: "nonce", type: "uint256" },
            { name: "deadline", type: "uint64" },
          ],
        },
        primaryType: "Attest",
        message: {
          attester: witness.address,
          schema: deployment.schema,
          ...requestData(datas[i]!),
          nonce: firstNonce + BigInt(i),
          deadline: 0n,
        },
      });
      const { r, s, v, yParity } = parseSignature(signature);
      signatures.push({ v: Number(v ?? BigInt(yParity + 27)), r, s });
    }
    requests.push({
      schema: deployment.schema,
      data: datas.map((d) => requestData(d)),
      signatures,
      attester: witness.address,
      deadline: 0n,
    });
  }
  return await send({
    chain,
    from: relayer,
    to: deployment.eas,
    abi: easAbi,
    functionName: "multiAttestByDelegation",
    args: [requests],
    fees,
  });
}

/** Fresh observation data for EAS runs: a header chain of its own stream. */
export function easHeaderData(stream: string, count: number): Hex[] {
  const cursor = streamCursor(`eas ${stream}`);
  return Array.from({ length: count }, () => encodeHeader(nextHeader(cursor).header));
}
