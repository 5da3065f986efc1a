// Rail tasks (ECP-0092 rollout step 5): mirror a manifest or a transport announcement onto the
// rail, as the publisher, as a signature for a relayer, or relaying a publisher's signature. The
// file is read and checked before the network is touched; every transaction's expected L2 gas and
// L1 data fee is printed first, and --dry-run stops there. The logic is in lib/operator/rail.ts.
import { task } from "hardhat/config";
import type { ConfigurableTaskDefinition, HardhatRuntimeEnvironment } from "hardhat/types";

import { EveryChannelError } from "../lib/errors";
import { parseIntegerOption } from "../lib/operator/arguments";
import {
  publishOnRail,
  readAnnouncementFile,
  readManifestFile,
  readStreamKeyFile,
  type RailMode,
  type RailPublication,
} from "../lib/operator/rail";
import { printJson, printLines } from "../lib/cli/output";
import { deploymentRecord } from "../lib/deploy/context";
import { parseIndexerUrl } from "../lib/indexer/client";
import {
  formatRailView,
  readRailViewFromIndexer,
  readRailViewFromLogs,
} from "../lib/operator/rail-view";
import {
  checkNetwork,
  checkNetworkToSend,
  deployedContract,
  publicClient,
  walletFor,
} from "./context";
import {
  addressOption,
  dryRunOption,
  fromOption,
  indexerOption,
  jsonOption,
  taskAction,
  withOptions,
  type AddressArgs,
  type IndexerArgs,
  type JsonArgs,
} from "./options";

interface RailArgs extends AddressArgs<"Rail"> {
  streamKey?: string;
  signOnly?: string;
  signature?: string;
  deadline: string;
  from?: string;
  dryRun: boolean;
}

async function modeOf(args: RailArgs): Promise<RailMode> {
  if (args.signOnly !== undefined && args.signature !== undefined) {
    throw new EveryChannelError(
      "--sign-only writes a publisher's signature and --signature relays one: use one or the other",
      {},
    );
  }
  if (args.signOnly !== undefined) {
    return {
      kind: "sign-only",
      out: args.signOnly,
      deadlineSeconds: BigInt(parseIntegerOption("deadline", args.deadline, 60, 365 * 86_400)),
    };
  }
  if (args.signature !== undefined) return { kind: "relay", signatureFile: args.signature };
  return {
    kind: "direct",
    streamKey: args.streamKey === undefined ? undefined : await readStreamKeyFile(args.streamKey),
  };
}

/** Reads and checks the file and the mode, then the network, then publishes (or prices). */
async function runPublication(
  hre: HardhatRuntimeEnvironment,
  args: RailArgs,
  publication: RailPublication,
): Promise<void> {
  const mode = await modeOf(args);
  const from = args.from ?? (mode.kind === "relay" ? "relayer" : "publisher");
  await checkNetworkToSend(hre, from);
  const wallet = await walletFor(hre, from);
  const client = await publicClient(hre);
  await publishOnRail({
    publicClient: client,
    wallet,
    rail: await deployedContract(hre, client, "Rail", args.rail),
    publication,
    mode,
    dryRun: args.dryRun,
    log: (line) => console.log(line),
  });
}

/** The options both rail tasks share. */
function withRailOptions<T extends ConfigurableTaskDefinition>(definition: T): T {
  return withOptions(
    definition
      .addOptionalParam(
        "streamKey",
        "Stream key JSON file: claims the stream for the publisher first when it has none",
      )
      .addOptionalParam(
        "signOnly",
        "Sign the pointer as the publisher into this file for a relayer; send nothing",
      )
      .addOptionalParam(
        "signature",
        "Relay a publisher's signature file (written with --sign-only)",
      )
      .addOptionalParam("deadline", "Seconds a --sign-only signature stays valid", "3600"),
    addressOption("Rail"),
    fromOption("The sending account (default: publisher; relayer with --signature)", {
      optional: true,
    }),
    dryRunOption("Print the expected L2 gas and L1 data fee of each transaction and send nothing"),
  );
}

withRailOptions(
  task(
    "rail:publish-manifest",
    "Mirrors a manifest's commitments onto the rail (latest pointer of its stream and epoch)",
  )
    .addPositionalParam("manifest", "The manifest JSON file (canonical JSON form, docs/types.md)")
    .addOptionalParam(
      "revision",
      "The pointer's revision (default: the rail's latest revision + 1)",
    ),
).setAction(
  taskAction(async (args: RailArgs & { manifest: string; revision?: string }, hre) => {
    await runPublication(hre, args, {
      kind: "manifest",
      manifest: await readManifestFile(args.manifest),
      revision:
        args.revision === undefined
          ? undefined
          : BigInt(parseIntegerOption("revision", args.revision, 1)),
    });
  }),
);

withRailOptions(
  task(
    "rail:announce",
    "Mirrors a transport (control) announcement onto the rail (latest pointer of its stream)",
  ).addPositionalParam(
    "announcement",
    "The StreamControlAnnouncement JSON file (canonical JSON form, docs/types.md)",
  ),
).setAction(
  taskAction(async (args: RailArgs & { announcement: string }, hre) => {
    await runPublication(hre, args, {
      kind: "announcement",
      announcement: await readAnnouncementFile(args.announcement, BigInt(Date.now())),
    });
  }),
);

withOptions(
  task(
    "rail:show",
    "Prints each claimed stream's publisher, latest manifest pointers and latest announcement",
  ),
  addressOption("Rail"),
  indexerOption,
  jsonOption,
).setAction(
  taskAction(async (args: AddressArgs<"Rail"> & IndexerArgs & JsonArgs, hre) => {
    const indexer = args.indexer === undefined ? undefined : parseIndexerUrl(args.indexer);
    await checkNetwork(hre);
    const client = await publicClient(hre);
    const rail = await deployedContract(hre, client, "Rail", args.rail);
    let fromBlock = 0n;
    if (args.rail === undefined) {
      const record = await deploymentRecord(hre, "Rail");
      if (record?.receipt?.blockNumber !== undefined)
        fromBlock = BigInt(record.receipt.blockNumber);
    }
    const view =
      indexer === undefined
        ? await readRailViewFromLogs({ client, rail: rail.address, fromBlock })
        : await readRailViewFromIndexer(indexer, rail.address);
    if (args.json) await printJson(view);
    else await printLines(formatRailView(view));
  }),
);
