/**
 * The bounds and patterns of the archive's fields, shared by the hand-written line check
 * (`validate.ts`) and the zod schema (`schema.ts`).
 */
export const UINT16_MAX = 0xffff;
export const UINT32_MAX = 0xffff_ffff;
export const UINT64_MAX = 0xffff_ffff_ffff_ffffn;

export const HEX32 = /^[0-9a-f]{64}$/;
export const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const REGION = /^[A-Z]{2}$/;
