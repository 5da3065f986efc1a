import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import {
  decodeEventLog,
  encodeAbiParameters,
  encodeEventTopics,
  type Abi,
  type AbiEvent,
  type AbiParameter,
  type Hex,
} from "viem";

import { createEventDecoder } from "../../lib/indexer/decode";

const hex = (bytes: number) =>
  fc
    .uint8Array({ minLength: bytes, maxLength: bytes })
    .map((b) => `0x${Buffer.from(b).toString("hex")}` as Hex);

/** Values of any ABI parameter type these contracts use, edges included. */
function arbitraryOf(parameter: AbiParameter): fc.Arbitrary<unknown> {
  const type = parameter.type;
  if (type.endsWith("[]"))
    return fc.array(arbitraryOf({ ...parameter, type: type.slice(0, -2) }), { maxLength: 3 });
  if (type === "address") return hex(20);
  if (type === "bool") return fc.boolean();
  if (type === "string") return fc.string({ maxLength: 40 });
  if (type === "bytes")
    return fc.uint8Array({ maxLength: 70 }).map((b) => `0x${Buffer.from(b).toString("hex")}`);
  if (type.startsWith("bytes")) return hex(Number(type.slice(5)));
  const int = /^(u?)int(\d*)$/.exec(type);
  if (int !== null) {
    const bits = BigInt(int[2] === "" ? 256 : Number(int[2]));
    const values =
      int[1] === "u"
        ? fc.oneof(
            fc.constantFrom(0n, (1n << bits) - 1n),
            fc.bigInt({ min: 0n, max: (1n << bits) - 1n }),
          )
        : fc.bigInt({ min: -(1n << (bits - 1n)), max: (1n << (bits - 1n)) - 1n });
    return bits <= 48n ? values.map(Number) : values;
  }
  if (type === "tuple" && "components" in parameter)
    return fc.record(
      Object.fromEntries(parameter.components.map((c) => [c.name!, arbitraryOf(c)])),
    );
  throw new Error(`no arbitrary for ${type}`);
}

describe("indexer: the bulk backfill's event decoder", function () {
  for (const name of [
    "EveryChannelWitnessRegistry",
    "EveryChannelObservationLedger",
    "EveryChannelRail",
  ] as const) {
    it(`decodes every event of ${name} exactly as viem's decodeEventLog does`, async function () {
      const abi = (await hre.artifacts.readArtifact(name)).abi as Abi;
      const decoder = createEventDecoder(abi);
      const events = abi.filter((i): i is AbiEvent => i.type === "event");
      for (const event of events) {
        const args = fc.tuple(...event.inputs.map(arbitraryOf));
        fc.assert(
          fc.property(args, (values) => {
            const named = Object.fromEntries(event.inputs.map((p, i) => [p.name!, values[i]]));
            const topics = encodeEventTopics({
              abi: [event],
              eventName: event.name,
              args: named,
            } as never) as Hex[];
            const plain = event.inputs.filter((p) => p.indexed !== true);
            const data = encodeAbiParameters(
              plain,
              plain.map((p) => named[p.name!]),
            );
            const expected = decodeEventLog({
              abi: [event],
              topics: topics as [Hex],
              data,
              strict: true,
            });
            const got = decoder.decode({ topics, data });
            expect(got.eventName).to.equal(expected.eventName);
            expect(got.args).to.deep.equal(expected.args);
          }),
          { numRuns: 60 },
        );
      }
    });
  }

  it("refuses a log of an event the ABI does not have, and a log short of its words, naming the event", async function () {
    const abi = (await hre.artifacts.readArtifact("EveryChannelWitnessRegistry")).abi as Abi;
    const decoder = createEventDecoder(abi);
    expect(() => decoder.decode({ topics: [`0x${"ab".repeat(32)}`], data: "0x" })).to.throw(
      /topic 0xabab.* is not an event of the ABI/,
    );
    const event = abi.find((i) => i.type === "event" && i.name === "QuorumChanged") as AbiEvent;
    const topics = encodeEventTopics({
      abi: [event],
      eventName: "QuorumChanged",
    } as never) as Hex[];
    expect(() => decoder.decode({ topics, data: `0x${"00".repeat(32)}` })).to.throw(
      /QuorumChanged: 32 data bytes, the ABI needs 64/,
    );
  });
});
