import { encodeAbiParameters, keccak256, type Hex } from "viem";
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
