/**
 * The on-chain series, all on one chain: our ledger against EAS at the headline quorum, and how the
 * cost per finalized observation grows with quorum size, batch size, registered witnesses and
 * ledger history. Every figure is a receipt's exact gas and the transaction's exact bytes.
 * Measurements are in steady state: each measured stream already has a finalized head, each
 * witness has attested before (so first-write storage costs of a new stream or a new EAS nonce are
 * not counted against either system).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { PrivateKeyAccount } from "viem/accounts";

import type { L1FeeParameters } from "../../lib/opstack/fee-model";
import { benchAccount, fund, witnessAccounts, type BenchChain } from "./chain";
import type { BenchConfig } from "./config";
import {
  deployEas,
  easAttestPerWitness,
  easHeaderData,
  easMultiAttestByDelegation,
  type EasDeployment,
} from "./eas";
import { perObservation, type PathFigure } from "./figures";
import {
  peerPaths,
  recorderArtifact,
  signersSeries,
  type PeerContext,
  type SignersFigure,
} from "./peers";
import { streamCursor, type HeaderChainCursor } from "./headers";
import {
  attestPerWitness,
  deployLedger,
  headSequence,
  ledgerArtifacts,
  relayBatch,
  reportBatch,
  updateWitnessSet,
  type LedgerArtifacts,
  type LedgerDeployment,
} from "./ledger";

export const PATHS = {
  easAttest: "EAS: attest per witness",
  easDelegated: "EAS: multiAttestByDelegation",
  ledgerAttest: "ledger: attest per witness",
  ledgerRelayed: "ledger: relayed signatures",
  ledgerBatch: (size: number) => `ledger: relayed batch of ${size}`,
  ledgerCompact: "ledger: relayed compact signatures",
  ledgerCompactBatch: (size: number) => `ledger: relayed compact batch of ${size}`,
  ledgerReport: (size: number) => `ledger: co-signed report of ${size}`,
  easDelegatedBatch: (size: number) => `EAS: multiAttestByDelegation, ${size} observations`,
} as const;

/** The relayed paths the growth series measure (observations per transaction, compact form). */
const MEASURED_RELAYS = [
  [1, false],
  [50, false],
  [1, true],
  [50, true],
] as const;

function relayPath(batch: number, compact: boolean): string {
  if (compact) return batch === 1 ? PATHS.ledgerCompact : PATHS.ledgerCompactBatch(batch);
  return batch === 1 ? PATHS.ledgerRelayed : PATHS.ledgerBatch(batch);
}

export interface QuorumFigure extends PathFigure {
  witnesses: number;
}
export interface BatchFigure extends PathFigure {
  batch: number;
}
export interface RegisteredFigure extends PathFigure {
  /** Registry indices ever assigned (the registered set's size). */
  registered: number;
  /** Active witnesses when measured. */
  active: number;
  variant: "fixed quorum 3, registry grows" | "strict-majority quorum of all registered";
  gasPerSignature: number;
}
export interface HistoryFigure extends PathFigure {
  history: number;
}
export interface HistoryFill {
  observations: number;
  transactions: number;
  gas: number;
  wallMs: number;
  observationsPerSecond: number;
}

export interface OnchainResults {
  headline: PathFigure[];
  quorum: QuorumFigure[];
  batch: BatchFigure[];
  registered: RegisteredFigure[];
  history: HistoryFigure[];
  historyFill: HistoryFill[];
  maxWitnessIndices: number;
  /** Registered-set sizes above the registry's lifetime index cap (not measurable). */
  registeredSkipped: number[];
  /** The co-signing peers (Safe, Keystone) by signatures per transaction (absent before they were measured). */
  signers?: SignersFigure[];
}

interface Context {
  chain: BenchChain;
  artifacts: LedgerArtifacts;
  fees: L1FeeParameters;
  owner: PrivateKeyAccount;
  relayer: PrivateKeyAccount;
  log: (line: string) => void;
}

async function expectHead(
  context: Context,
  deployment: LedgerDeployment,
  cursor: HeaderChainCursor,
) {
  const head = await headSequence(deployment, cursor.streamHash);
  if (head.observationHash !== cursor.parent || head.sequence !== cursor.sequence - 1n)
    throw new Error(
      `bench: stream ${cursor.streamHash} head is ${head.observationHash} #${head.sequence}, expected ${cursor.parent} #${cursor.sequence - 1n}: a measured path did not finalize`,
    );
}

/** A ledger with 2q−1 witnesses (`q` sign), and a warmed measurement stream. */
async function ledgerWithQuorum(context: Context, quorum: number, namespace: string) {
  const all = witnessAccounts(2 * quorum - 1, namespace);
  await fund(
    context.chain,
    all.map((w) => w.address),
  );
  const deployment = await deployLedger(
    context.chain,
    context.artifacts,
    context.owner,
    all.map((w) => w.address),
    quorum,
  );
  const signers = all.slice(0, quorum);
  const cursor = streamCursor(`${namespace} measured`);
  await relayBatch(context.chain, deployment, context.relayer, signers, cursor, 1, context.fees);
  return { deployment, signers, all, cursor };
}

async function ledgerPaths(
  context: Context,
  quorum: number,
  batches: readonly number[],
): Promise<PathFigure[]> {
  const { chain, fees, relayer } = context;
  const { deployment, signers, cursor } = await ledgerWithQuorum(context, quorum, `q${quorum}`);
  const figures: PathFigure[] = [];
  const direct = await attestPerWitness(chain, deployment, signers, cursor, fees);
  await expectHead(context, deployment, cursor);
  figures.push(
    perObservation("ledger", PATHS.ledgerAttest, direct, {
      observations: 1,
      transactions: quorum,
      quorum,
    }),
  );
  const relayed = await relayBatch(chain, deployment, relayer, signers, cursor, 1, fees);
  await expectHead(context, deployment, cursor);
  figures.push(
    perObservation("ledger", PATHS.ledgerRelayed, relayed, {
      observations: 1,
      transactions: 1,
      quorum,
    }),
  );
  for (const size of batches) {
    const cost = await relayBatch(chain, deployment, relayer, signers, cursor, size, fees);
    await expectHead(context, deployment, cursor);
    figures.push(
      perObservation("ledger", PATHS.ledgerBatch(size), cost, {
        observations: size,
        transactions: 1,
        quorum,
      }),
    );
  }
  // The compact entry point, measured after the others so that their transactions (and so their
  // exact gas) are the same as without it.
  for (const size of [1, ...batches]) {
    const cost = await relayBatch(chain, deployment, relayer, signers, cursor, size, fees, {
      compact: true,
    });
    await expectHead(context, deployment, cursor);
    figures.push(
      perObservation(
        "ledger",
        size === 1 ? PATHS.ledgerCompact : PATHS.ledgerCompactBatch(size),
        cost,
        { observations: size, transactions: 1, quorum },
      ),
    );
  }
  // Co-signed reports of the same sizes, measured last for the same reason.
  for (const size of [1, ...batches]) {
    const cost = await reportBatch(chain, deployment, relayer, signers, cursor, size, fees);
    await expectHead(context, deployment, cursor);
    figures.push(
      perObservation("ledger", PATHS.ledgerReport(size), cost, {
        observations: size,
        transactions: 1,
        quorum,
      }),
    );
  }
  return figures;
}

async function easPaths(
  context: Context,
  eas: EasDeployment,
  quorum: number,
  batches: readonly number[],
): Promise<PathFigure[]> {
  const { chain, fees, relayer } = context;
  const witnesses = witnessAccounts(quorum, `eas-q${quorum}`);
  await fund(
    chain,
    witnesses.map((w) => w.address),
  );
  const data = easHeaderData(`q${quorum}`, 3 + batches.reduce((a, b) => a + b, 0));
  let next = 0;
  const take = (n: number) => data.slice(next, (next += n));
  // Warm-up: every witness has attested and used a delegation nonce once.
  await easAttestPerWitness(chain, eas, witnesses, take(1)[0]!, fees);
  await easMultiAttestByDelegation(chain, eas, relayer, witnesses, take(1), fees);
  const figures: PathFigure[] = [];
  const direct = await easAttestPerWitness(chain, eas, witnesses, take(1)[0]!, fees);
  figures.push(
    perObservation("EAS", PATHS.easAttest, direct, {
      observations: 1,
      transactions: quorum,
      quorum,
    }),
  );
  for (const size of batches) {
    const cost = await easMultiAttestByDelegation(chain, eas, relayer, witnesses, take(size), fees);
    figures.push(
      perObservation("EAS", size === 1 ? PATHS.easDelegated : PATHS.easDelegatedBatch(size), cost, {
        observations: size,
        transactions: 1,
        quorum,
      }),
    );
  }
  return figures;
}

async function registeredSeries(context: Context, sizes: readonly number[], maxIndices: number) {
  const { chain, fees, relayer } = context;
  const figures: RegisteredFigure[] = [];
  const skipped: number[] = [];
  for (const size of sizes) {
    if (size > maxIndices) {
      context.log(
        `registered ${size}: above the registry's ${maxIndices} lifetime indices, skipped`,
      );
      skipped.push(size);
      continue;
    }
    const all = witnessAccounts(size, `reg${size}`);
    // Fixed quorum 3 of 5 active, after the registry has handed out `size` indices: the active
    // witnesses (and signers) hold the highest indices.
    {
      const deployment = await deployLedger(
        chain,
        context.artifacts,
        context.owner,
        all.map((w) => w.address),
        Math.floor(size / 2) + 1,
      );
      if (size > 5)
        await updateWitnessSet(
          chain,
          deployment,
          [],
          all.slice(0, size - 5).map((w) => w.address),
          3,
          fees,
        );
      else await updateWitnessSet(chain, deployment, [], [], 3, fees);
      const signers = all.slice(size - 3);
      const cursor = streamCursor(`reg${size} fixed`);
      await relayBatch(chain, deployment, relayer, signers, cursor, 1, fees);
      for (const [batch, compact] of MEASURED_RELAYS) {
        const cost = await relayBatch(chain, deployment, relayer, signers, cursor, batch, fees, {
          compact,
        });
        await expectHead(context, deployment, cursor);
        const figure = perObservation("ledger", relayPath(batch, compact), cost, {
          observations: batch,
          transactions: 1,
          quorum: 3,
        });
        figures.push({
          ...figure,
          registered: size,
          active: 5,
          variant: "fixed quorum 3, registry grows",
          gasPerSignature: Math.round(figure.gas / 3),
        });
      }
    }
    // Strict-majority quorum of all `size` registered witnesses: signatures grow with the set.
    {
      const quorum = Math.floor(size / 2) + 1;
      const deployment = await deployLedger(
        chain,
        context.artifacts,
        context.owner,
        all.map((w) => w.address),
        quorum,
      );
      const signers = all.slice(size - quorum);
      const cursor = streamCursor(`reg${size} majority`);
      await relayBatch(chain, deployment, relayer, signers, cursor, 1, fees);
      const cost = await relayBatch(chain, deployment, relayer, signers, cursor, 1, fees);
      await expectHead(context, deployment, cursor);
      const figure = perObservation("ledger", PATHS.ledgerRelayed, cost, {
        observations: 1,
        transactions: 1,
        quorum,
      });
      figures.push({
        ...figure,
        registered: size,
        active: size,
        variant: "strict-majority quorum of all registered",
        gasPerSignature: Math.round(figure.gas / quorum),
      });
    }
    context.log(`registered ${size}: measured`);
  }
  return { figures, skipped };
}

async function historySeries(context: Context, config: BenchConfig) {
  const { chain, fees, relayer } = context;
  const quorum = config.headlineQuorum;
  const { deployment, signers, all, cursor } = await ledgerWithQuorum(context, quorum, "history");
  const others = all.slice(1).map((w) => w.address);
  const figures: HistoryFigure[] = [];
  const fills: HistoryFill[] = [];
  let finalized = 0;
  let fillStream = 0;
  for (const target of config.historySizes) {
    // Fill: the ledger's history is its finalized slots and stream heads; who signed is not kept
    // (attestation bitmaps are deleted at finalization). To sign 1 instead of 3 signatures per
    // filler observation, the registry runs with one active witness (quorum 1) while filling.
    await updateWitnessSet(chain, deployment, [], others, 1, fees);
    const started = performance.now();
    let transactions = 0;
    let gas = 0n;
    const toFill = target - finalized;
    while (finalized < target) {
      const size = Math.min(config.historyFillBatch, target - finalized);
      const fillCursor = streamCursor(`history filler ${fillStream++}`);
      const cost = await relayBatch(
        chain,
        deployment,
        relayer,
        signers.slice(0, 1),
        fillCursor,
        size,
        fees,
        {
          measure: false,
          gas: 100_000_000n,
        },
      );
      gas += cost.gasUsed;
      finalized += size;
      transactions++;
      if (transactions % 50 === 0) context.log(`history: ${finalized} / ${target} finalized`);
    }
    const wallMs = performance.now() - started;
    if (toFill > 0)
      fills.push({
        observations: toFill,
        transactions,
        gas: Number(gas),
        wallMs: Math.round(wallMs),
        observationsPerSecond: Math.round((toFill / wallMs) * 1000),
      });
    await updateWitnessSet(chain, deployment, others, [], quorum, fees);
    for (const [batch, compact] of MEASURED_RELAYS) {
      const cost = await relayBatch(chain, deployment, relayer, signers, cursor, batch, fees, {
        compact,
      });
      await expectHead(context, deployment, cursor);
      figures.push({
        ...perObservation("ledger", relayPath(batch, compact), cost, {
          observations: batch,
          transactions: 1,
          quorum,
        }),
        history: target,
      });
    }
    context.log(`history ${target}: measured`);
  }
  return { figures, fills };
}

/** When one on-chain section's measurement ran (ms since the epoch). */
export interface SectionTiming {
  startedAt: number;
  endedAt: number;
}

/** The on-chain sections a run measured, and when. */
export interface OnchainMeasured {
  results: Partial<OnchainResults>;
  timings: Partial<Record<"paths" | "batch" | "quorum" | "witnesses" | "history", SectionTiming>>;
}

/**
 * Measures the on-chain sections named in `config.sections` (`paths`, `batch`, `quorum`,
 * `witnesses`, `history`). The quorum-3 ledger and EAS runs yield the `paths` rows, the `batch`
 * series and the quorum-3 points of the `quorum` series together, so any of those three measures
 * quorum 3 in full (the same transactions in the same order, so the same exact gas).
 */
export async function runOnchain(
  hre: HardhatRuntimeEnvironment,
  chain: BenchChain,
  config: BenchConfig,
  log: (line: string) => void,
): Promise<OnchainMeasured> {
  const wants = (section: keyof OnchainMeasured["timings"]) => config.sections.includes(section);
  const measured: OnchainMeasured = { results: {}, timings: {} };
  // Batches of 200 EAS delegated attestations need about 180 M gas in one transaction.
  await chain.rpc("evm_setBlockGasLimit", [`0x${(2n ** 31n).toString(16)}`]);
  const owner = benchAccount("owner");
  const relayer = benchAccount("relayer");
  await fund(chain, [owner.address, relayer.address]);
  const context: Context = {
    chain,
    artifacts: await ledgerArtifacts(hre),
    fees: config.fees,
    owner,
    relayer,
    log,
  };

  if (wants("paths") || wants("batch") || wants("quorum")) {
    const eas = await deployEas(chain, owner, config.fees);
    const quorum: QuorumFigure[] = [];
    const batch: BatchFigure[] = [];
    let headline: PathFigure[] = [];
    const started = Date.now();
    let headlineEnded = started;
    for (const q of config.quorums) {
      const isHeadline = q === config.headlineQuorum;
      if (!isHeadline && !wants("quorum")) continue;
      const ledgerBatches = isHeadline ? config.batchSizes.filter((b) => b > 1) : [50];
      const easBatches = isHeadline ? config.batchSizes : [1];
      const figures = [
        ...(await easPaths(context, eas, q, easBatches)),
        ...(await ledgerPaths(context, q, ledgerBatches)),
      ];
      for (const f of figures)
        if (
          f.observations === 1 ||
          f.path === PATHS.ledgerBatch(50) ||
          f.path === PATHS.ledgerCompactBatch(50) ||
          f.path === PATHS.ledgerReport(50)
        )
          quorum.push({ ...f, witnesses: 2 * q - 1 });
      if (isHeadline) {
        headline = figures.filter(
          (f) =>
            f.observations === 1 ||
            [50, 200].some(
              (size) =>
                f.path === PATHS.ledgerBatch(size) ||
                f.path === PATHS.ledgerCompactBatch(size) ||
                f.path === PATHS.ledgerReport(size),
            ),
        );
        for (const f of figures)
          if (f.path !== PATHS.easAttest && f.path !== PATHS.ledgerAttest)
            batch.push({ ...f, batch: f.observations });
        headlineEnded = Date.now();
      }
      log(`quorum ${q}: measured`);
    }
    const ended = Date.now();
    if (wants("paths")) {
      // The peers run on contracts of their own after the ledger and EAS, so that those paths'
      // transactions (and exact gas) are the same as without them.
      const peersStarted = Date.now();
      const peers: PeerContext = {
        chain,
        fees: config.fees,
        deployer: owner,
        relayer,
        recorder: await recorderArtifact(hre),
      };
      const peerBatches = config.batchSizes.filter((b) => b === 50 || b === 200);
      headline = [...headline, ...(await peerPaths(peers, config.headlineQuorum, peerBatches))];
      log("peers (Safe, Keystone) at quorum 3: measured");
      measured.results.signers = await signersSeries(peers, config.quorums);
      log(`peers by signers (${config.quorums.join(", ")}): measured`);
      measured.results.headline = headline;
      measured.timings.paths = {
        startedAt: started,
        endedAt: headlineEnded + (Date.now() - peersStarted),
      };
    }
    if (wants("batch")) {
      measured.results.batch = batch;
      measured.timings.batch = { startedAt: started, endedAt: headlineEnded };
    }
    if (wants("quorum")) {
      measured.results.quorum = quorum;
      measured.timings.quorum = { startedAt: started, endedAt: ended };
    }
  }

  if (wants("witnesses")) {
    const started = Date.now();
    const registryContract = context.artifacts.registry;
    const probe = await deployLedger(chain, context.artifacts, owner, [owner.address], 1);
    const maxWitnessIndices = Number(
      await chain.publicClient.readContract({
        address: probe.registry,
        abi: registryContract.abi,
        functionName: "MAX_WITNESS_INDICES",
      }),
    );
    const registered = await registeredSeries(context, config.registeredSizes, maxWitnessIndices);
    measured.results.registered = registered.figures;
    measured.results.registeredSkipped = registered.skipped;
    measured.results.maxWitnessIndices = maxWitnessIndices;
    measured.timings.witnesses = { startedAt: started, endedAt: Date.now() };
  }
  if (wants("history")) {
    const started = Date.now();
    const history = await historySeries(context, config);
    measured.results.history = history.figures;
    measured.results.historyFill = history.fills;
    measured.timings.history = { startedAt: started, endedAt: Date.now() };
  }
  return measured;
}
