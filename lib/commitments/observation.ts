import { encodeAbiParameters, keccak256, type Hex } from "viem";
import { keccak_256 } from "js-sha3";
import { z } from "zod";

import {
  abiParameters,
  observationContentComponents,
  type ObservationContent,
  type ObservationHeader,
} from "../types/abi";
import { parseCanonical } from "../validation/errors";
import { assertCanonicalValue, hexBytes } from "../validation/values";

const slotSchema = z.object({ streamHash: hexBytes(32), epochHash: hexBytes(32) });

/** `ContentHash` = keccak256(abi.encode(content)): what a witness's attestation names. */
export function contentHash(content: ObservationContent): Hex {
  assertCanonicalValue("ObservationContent", content, "content");
  return keccak256(encodeAbiParameters([abiParameters.ObservationContent], [content]));
}

/** The content of a header: the header without its place in the chain (the content's fields). */
export function headerContent(header: ObservationHeader): ObservationContent {
  return Object.fromEntries(
    observationContentComponents.map(({ name }) => [name, header[name]]),
  ) as unknown as ObservationContent;
}

/** `ObservationHash` = keccak256(abi.encode(header)). */
export function observationHash(header: ObservationHeader): Hex {
  assertCanonicalValue("ObservationHeader", header, "header");
  return keccak256(encodeAbiParameters([abiParameters.ObservationHeader], [header]));
}

/** `ObservationSlot` = keccak256(abi.encode(streamHash, epochHash)). */
export function observationSlot(streamHash: Hex, epochHash: Hex): Hex {
  parseCanonical(slotSchema, { streamHash, epochHash }, "ObservationSlot", "");
  return keccak256(
    encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [streamHash, epochHash]),
  );
}

/**
 * Keccak-256 of the bytes of `hex` (no 0x) by js-sha3, about 8× faster here than viem's
 * `keccak256` with its value checks and ABI encoder; for hot paths over values already known
 * canonical (decoded from a log).
 */
function keccakOfHexWords(hex: string): Hex {
  return `0x${keccak_256(Buffer.from(hex, "hex"))}`;
}

const uint64Word = (value: bigint) => value.toString(16).padStart(64, "0");

/**
 * `contentHash` over values that are already canonical (32-byte lower- or upper-case hex, a
 * uint64), such as an event's decoded arguments: the same hash without the checks. Values that are
 * not canonical give a wrong hash, not an error; `test/types/commitments.test.ts` keeps the two equal.
 */
export function contentHashOfCanonical(content: ObservationContent): Hex {
  return keccakOfHexWords(
    content.streamHash.slice(2) +
      content.epochHash.slice(2) +
      content.dataRoot.slice(2) +
      content.locatorHash.slice(2) +
      uint64Word(content.observedUnixMs),
  );
}

/** `observationSlot` over canonical 32-byte values, without the checks (see `contentHashOfCanonical`). */
export function observationSlotOfCanonical(streamHash: Hex, epochHash: Hex): Hex {
  return keccakOfHexWords(streamHash.slice(2) + epochHash.slice(2));
}
