/**
 * RFC 8785 (JSON Canonicalization Scheme) of a manifest body: the bytes behind the local
 * `manifest_id`. The body is first written in its JSON form (`lib/validation/json-form.ts`,
 * specified in `docs/types.md`: hex without 0x, uint64 as decimal strings, enums by name), then
 * canonicalized: object keys sorted by UTF-16 code units, no insignificant whitespace, strings with
 * the minimal RFC 8785 escaping, numbers in ECMAScript shortest form (only uint8..uint32 appear as
 * numbers, so they are plain integers).
 */
import canonicalize from "canonicalize";

import { InvalidFieldError } from "../errors";
import type { ManifestBody } from "../types/abi";
import { toJson } from "../validation/json-form";

/** The RFC 8785 canonical JSON text of a manifest body's JSON form. */
export function canonicalManifestBodyJson(body: ManifestBody): string {
  const text = canonicalize(toJson("ManifestBody", body, "body"));
  if (text === undefined) throw new InvalidFieldError("body", body, "cannot be canonicalized");
  return text;
}

/** The UTF-8 bytes of {@link canonicalManifestBodyJson}: exactly what `manifest_id` hashes. */
export function canonicalManifestBodyBytes(body: ManifestBody): Uint8Array {
  return new TextEncoder().encode(canonicalManifestBodyJson(body));
}
