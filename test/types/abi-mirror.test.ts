import { expect } from "chai";
import hre from "hardhat";
import type { AbiParameter } from "viem";

import { manifestBodyTypes } from "../../lib/eip712/manifest";
import { OBSERVATION_TYPE, observationTypes } from "../../lib/ledger/typedData";
import { abiParameters, type CanonicalTypeName } from "../../lib/types/abi";

type Shape = { name: string; type: string; components?: Shape[] };

/** name/type/components only: what the ABI encoding depends on. */
function shape(parameter: AbiParameter): Shape {
  const components = (parameter as { components?: readonly AbiParameter[] }).components;
  return {
    name: parameter.name ?? "",
    type: parameter.type,
    ...(components ? { components: components.map(shape) } : {}),
  };
}

describe("lib/types/abi.ts mirrors the compiled Solidity structs", function () {
  const names = Object.keys(abiParameters) as CanonicalTypeName[];
  for (const name of names) {
    it(`${name} has the fields, order and types of struct ${name}`, async function () {
      const artifact = await hre.artifacts.readArtifact("CommitmentsHarness");
      const fn = artifact.abi.find(
        (item: { type: string; name?: string }) =>
          item.type === "function" && item.name === `encode${name}`,
      ) as { inputs: (AbiParameter & { internalType?: string })[] } | undefined;
      expect(fn, `CommitmentsHarness.encode${name}`).to.not.equal(undefined);
      const input = fn!.inputs[0]!;
      expect(input.internalType).to.equal(`struct ${name}`);
      expect(shape({ ...input, name: "" })).to.deep.equal(shape(abiParameters[name]));
    });
  }

  it("the EIP-712 types list the same fields as the ABI structs, nested types by name", function () {
    const map: Record<string, CanonicalTypeName> = {
      ManifestBody: "ManifestBody",
      ManifestVariant: "ManifestVariant",
      ChunkId: "ChunkId",
      SourceId: "SourceId",
    };
    for (const [typeName, canonical] of Object.entries(map)) {
      const fields = manifestBodyTypes[typeName as keyof typeof manifestBodyTypes];
      const components = abiParameters[canonical].components as readonly AbiParameter[];
      expect(fields.map((f) => f.name)).to.deep.equal(components.map((c) => c.name));
      fields.forEach((field, i) => {
        const component = components[i] as AbiParameter & { internalType?: string };
        if (component.type.startsWith("tuple")) {
          const nested = (component as { components: readonly AbiParameter[] }).components;
          const target = Object.keys(map).find(
            (k) =>
              JSON.stringify(
                (abiParameters[map[k]!].components as readonly AbiParameter[]).map((c) => c.name),
              ) === JSON.stringify(nested.map((c) => c.name)),
          );
          expect(field.type).to.equal(`${target}${component.type.slice("tuple".length)}`);
        } else {
          expect(field.type).to.equal(component.type);
        }
      });
    }
  });

  it("the ledger's EIP-712 Observation type lists the fields of ObservationContent, and its type string is the one the contract hashes", async function () {
    const fields = observationTypes.Observation;
    const components = abiParameters.ObservationContent.components as readonly AbiParameter[];
    expect(fields.map((f) => [f.name, f.type])).to.deep.equal(
      components.map((c) => [c.name, c.type]),
    );
    expect(OBSERVATION_TYPE).to.equal(
      `Observation(${fields.map((f) => `${f.type} ${f.name}`).join(",")})`,
    );
    const ledger = await hre.artifacts.readArtifact("EveryChannelObservationLedger");
    const attest = ledger.abi.find(
      (item: { type: string; name?: string }) => item.type === "function" && item.name === "attest",
    ) as { inputs: (AbiParameter & { internalType?: string })[] };
    expect(attest.inputs[0]!.internalType).to.equal("struct ObservationContent");
    expect(shape({ ...attest.inputs[0]!, name: "" })).to.deep.equal(
      shape(abiParameters.ObservationContent),
    );
  });
});
