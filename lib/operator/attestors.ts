/**
 * The two ways a witness attests (ECP-0093): a transaction from the witness address (`attest`), or
 * an EIP-712 signature written for a relayer (`submitCompactAttestations` /
 * `submitSignedAttestations`).
 */
import type { Hex } from "viem";

import type { LedgerClient } from "../ledger/client";
import { signObservation, type ObservationLedgerDomain } from "../ledger/typedData";
import type { OperatorWallet } from "./send";
import { writeSignatureFile } from "./signature-files";
import type { WitnessAttestation, WitnessAttestor } from "./witness";

/**
 * Headroom of an `attest` transaction: another witness's attestation that lands first can make
 * this one the finalizing one (about 10,000 gas more than a further attestation, before refunds).
 */
export const ATTEST_EXTRA_GAS = 40_000n;

export interface TransactionAttestorParameters {
  /** The ledger client, with the witness's wallet. */
  ledger: LedgerClient;
  log: (line: string) => void;
}

/** `attest(content)` sent from the witness address, or with `dryRun` only priced. */
function attestTransaction(
  parameters: TransactionAttestorParameters,
  dryRun: boolean,
): WitnessAttestor {
  return {
    mode: "transaction",
    async attest(attestation: WitnessAttestation): Promise<Hex | undefined> {
      const result = await parameters.ledger.attest(attestation.content, {
        description: `attest ${attestation.contentHash} (epoch ${attestation.epochId})`,
        dryRun,
        extraGas: ATTEST_EXTRA_GAS,
        log: parameters.log,
      });
      return result.sent ? result.hash : undefined;
    },
  };
}

/** Attests by sending `attest(content)` from the witness address (estimate printed first). */
export function transactionAttestor(parameters: TransactionAttestorParameters): WitnessAttestor {
  return attestTransaction(parameters, false);
}

export interface SignatureAttestorParameters {
  wallet: OperatorWallet;
  domain: ObservationLedgerDomain;
  /** The folder the relayer reads. */
  outbox: string;
  log: (line: string) => void;
}

/** Attests by signing the content (EIP-712) into a file in the relayer's folder. */
export function signatureAttestor(parameters: SignatureAttestorParameters): WitnessAttestor {
  return {
    mode: "signature",
    async attest(attestation: WitnessAttestation): Promise<Hex | undefined> {
      const signature = await signObservation(
        parameters.wallet,
        parameters.domain,
        attestation.content,
      );
      const file = await writeSignatureFile(parameters.outbox, {
        chainId: parameters.domain.chainId,
        ledger: parameters.domain.verifyingContract,
        witness: parameters.wallet.account.address,
        contentHash: attestation.contentHash,
        slot: attestation.slot,
        content: attestation.content,
        signature,
      });
      parameters.log(`signed ${attestation.contentHash} into ${file}`);
      return undefined;
    },
  };
}

/** Prints what `attest(content)` would cost and sends nothing (`witness:run --dry-run`). */
export function dryRunAttestor(parameters: TransactionAttestorParameters): WitnessAttestor {
  return attestTransaction(parameters, true);
}
