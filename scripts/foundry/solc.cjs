#!/usr/bin/env node
// The `solc` that Foundry runs: the pinned `solc` npm package (wasm), the compiler Hardhat uses too
// (`lib/config/solc.ts`), behind the two commands forge needs from a native binary:
//   solc.cjs --version                 prints "Version: <long version>"
//   solc.cjs --standard-json [flags]   reads Standard JSON input on stdin, writes the output on stdout
// Flags forge adds to `--standard-json` (`--base-path`, `--include-path`, `--allow-paths`) name the
// directories imports may be read from; forge already puts every source in the input, so they only
// serve the import callback for a source it left out. Nothing is downloaded.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const solc = require("solc");

const longVersion = solc.version();

function fail(message) {
  process.stderr.write(`solc.cjs: ${message}\n`);
  process.exitCode = 2;
}

/** The directories named by the path flags forge passes, the working directory first. */
function importRoots(args) {
  const roots = [process.cwd()];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.split("=", 2);
    if (flag === "--base-path" || flag === "--include-path" || flag === "--allow-paths") {
      const value = inline ?? args[++i];
      if (value === undefined) return fail(`${flag} needs a value`);
      roots.push(...value.split(",").filter((p) => p.length > 0));
    }
  }
  return roots;
}

function findImports(roots) {
  return (importPath) => {
    for (const root of roots) {
      const candidate = path.resolve(root, importPath);
      if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, "utf8") };
    }
    return { error: `import ${importPath}: not found under ${roots.join(", ")}` };
  };
}

function standardJson(args) {
  const roots = importRoots(args);
  if (roots === undefined) return;
  const chunks = [];
  process.stdin.on("data", (chunk) => chunks.push(chunk));
  process.stdin.on("end", () => {
    const input = Buffer.concat(chunks).toString("utf8");
    if (input.trim().length === 0) return fail("--standard-json: no input on stdin");
    process.stdout.write(solc.compile(input, { import: findImports(roots) }));
  });
}

const args = process.argv.slice(2);
if (args.includes("--version")) {
  process.stdout.write(
    `solc, the solidity compiler commandline interface (solc-js)\nVersion: ${longVersion}\n`,
  );
} else if (args.includes("--standard-json")) {
  standardJson(args.filter((a) => a !== "--standard-json"));
} else {
  fail(`unsupported arguments ${JSON.stringify(args)}: only --version and --standard-json`);
}
