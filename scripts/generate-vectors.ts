/**
 * Regenerates the conformance vectors in `fixtures/vectors/` (see `docs/vectors.md`).
 * Run: `npm run vectors` (= `npx hardhat run scripts/generate-vectors.ts`); needs no chain.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { buildVectors, renderVectorFile } from "./vectors/build";

async function main(): Promise<void> {
  const dir = path.join(__dirname, "..", "fixtures", "vectors");
  mkdirSync(dir, { recursive: true });
  const files = await buildVectors();
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), renderVectorFile(content));
    console.log(`wrote fixtures/vectors/${name}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
