/**
 * The local `manifest_id` (`manifest-id-jcs-blake3-v1`): BLAKE3 (32-byte output, unkeyed) over
 * the UTF-8 bytes of the RFC 8785 canonical JSON form of the manifest body (`./jcs.ts`).
 */
import { blake3 } from "@noble/hashes/blake3";
import { bytesToHex, type Hex } from "viem";

import type { ManifestBody } from "../types/abi";
import { canonicalManifestBodyBytes } from "./jcs";

/** `manifest_id` = BLAKE3(JCS(JSON form of body)). */
export function manifestId(body: ManifestBody): Hex {
  return bytesToHex(blake3(canonicalManifestBodyBytes(body)));
}
