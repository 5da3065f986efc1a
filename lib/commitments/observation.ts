import { encodeAbiParameters, keccak256, type Hex } from "viem";

import { abiParameters, type ObservationHeader } from "../types/abi";

/** `ObservationHash` = keccak256(abi.encode(header)). */
export function observationHash(header: ObservationHeader): Hex {
  return keccak256(encodeAbiParameters([abiParameters.ObservationHeader], [header]));
}

/** `ObservationSlot` = keccak256(abi.encode(streamHash, epochHash)). */
export function observationSlot(streamHash: Hex, epochHash: Hex): Hex {
  return keccak256(
    encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [streamHash, epochHash]),
  );
}
