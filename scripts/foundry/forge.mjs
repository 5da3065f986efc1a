#!/usr/bin/env node
// Runs forge (the native binary of the pinned `@foundry-rs/forge` npm package) with this script's
// arguments and exits with forge's exit code. The package's own `forge` command (`npx forge`) starts
// the binary but always exits 0, whatever forge reported, so scripts that must fail when a suite fails
// run forge through this one.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { constants } from "node:os";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);

/** The path of the forge binary for this platform, from the package `@foundry-rs/forge` names. */
export async function forgeBinary() {
  const { BINARY_NAME, PLATFORM_SPECIFIC_PACKAGE_NAME } = await import(
    pathToFileURL(require.resolve("@foundry-rs/forge/const.mjs")).href
  );
  const platformPackage = PLATFORM_SPECIFIC_PACKAGE_NAME("forge");
  if (platformPackage === undefined) {
    throw new Error(`forge.mjs: no forge binary for ${process.platform}/${process.arch}`);
  }
  return require.resolve(`${platformPackage}/bin/${BINARY_NAME("forge")}`);
}

async function main() {
  const child = spawn(await forgeBinary(), process.argv.slice(2), { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("error", (error) => {
    process.stderr.write(`forge.mjs: ${error.message}\n`);
    process.exitCode = 2;
  });
  child.on("exit", (code, signal) => {
    process.exitCode = code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error) => {
    process.stderr.write(`forge.mjs: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  });
}
