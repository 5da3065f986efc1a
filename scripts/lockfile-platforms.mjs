#!/usr/bin/env node
// Restores the per-platform optional packages of @foundry-rs/anvil in package-lock.json.
//
// `npm install` drops optional dependencies the registry cannot serve from the lock file, and
// `npm ci` then refuses the lock as out of sync. This script adds lock entries (version, os, cpu,
// no tarball) for every platform package anvil lists, so that `npm ci` accepts the lock on any
// platform and installs only the package of the platform it runs on. Run it after `npm install`.
import { readFileSync, writeFileSync } from "node:fs";

const LOCK = new URL("../package-lock.json", import.meta.url);
const PLATFORMS = {
  "darwin-amd64": { os: ["darwin"], cpu: ["x64"] },
  "darwin-arm64": { os: ["darwin"], cpu: ["arm64"] },
  "linux-amd64": { os: ["linux"], cpu: ["x64"] },
  "linux-arm64": { os: ["linux"], cpu: ["arm64"] },
  "win32-amd64": { os: ["win32"], cpu: ["x64"] },
};

const lock = JSON.parse(readFileSync(LOCK, "utf8"));
const wrapper = lock.packages["node_modules/@foundry-rs/anvil"];
if (!wrapper) throw new Error("package-lock.json: node_modules/@foundry-rs/anvil is missing");
const packages = {};
let added = 0;
for (const [key, value] of Object.entries(lock.packages)) {
  if (key.startsWith("node_modules/@foundry-rs/anvil-")) continue;
  packages[key] = value;
  if (key !== "node_modules/@foundry-rs/anvil") continue;
  for (const [name, version] of Object.entries(wrapper.optionalDependencies ?? {})) {
    const entryKey = `node_modules/${name}`;
    const existing = lock.packages[entryKey];
    if (existing) {
      packages[entryKey] = existing;
      continue;
    }
    const suffix = name.slice("@foundry-rs/anvil-".length);
    const platform = PLATFORMS[suffix];
    if (!platform) throw new Error(`package-lock.json: unknown anvil platform package ${name}`);
    packages[entryKey] = {
      version,
      cpu: platform.cpu,
      dev: true,
      license: wrapper.license,
      optional: true,
      os: platform.os,
      bin: { anvil: suffix.startsWith("win32") ? "bin/anvil.exe" : "bin/anvil" },
      engines: { node: ">=20" },
    };
    added += 1;
  }
}
lock.packages = packages;
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} anvil platform entr${added === 1 ? "y" : "ies"} added`);
