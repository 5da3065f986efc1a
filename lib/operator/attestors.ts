/**
 * The two ways a witness attests (ECP-0093): a transaction from the witness address (`attest`), or
 * an EIP-712 signature written for a relayer (`submitSignedAttestations`).
 */
import { encodeFunctionData, type Hex, type PublicClient } from "viem";

import type { DerivedObservation } from "../derive/observation";
import { signObservation, type ObservationLedgerDomain } from "../ledger/typedData";
import type { LedgerRef } from "./contracts";
import { sendPlanned, type OperatorWallet } from "./send";
import { writeSignatureFile } from "./signature-files";
import type { WitnessAttestor } from "./witness";

export interface TransactionAttestorParameters {
  publicClient: PublicClient;
  wallet: OperatorWallet;
  ledger: LedgerRef;
  log: (line: string) => void;
}

/** Attests by sending `attest(header)` from the witness address (estimate printed first). */
export function transactionAttestor(parameters: TransactionAttestorParameters): WitnessAttestor {
  return {
    mode: "transaction",
    async attest(observation: DerivedObservation): Promise<Hex | undefined> {
      const result = await sendPlanned({
        publicClient: parameters.publicClient,
        wallet: parameters.wallet,
        description: `attest ${observation.hash} (epoch ${observation.content.epochId}, sequence ${observation.header.sequence})`,
        to: parameters.ledger.address,
        data: encodeFunctionData({
          abi: parameters.ledger.abi,
          functionName: "attest",
          args: [observation.header],
        }),
        abi: parameters.ledger.abi,
        dryRun: false,
        log: parameters.log,
      });
      return result.sent ? result.hash : undefined;
    },
  };
}

export interface SignatureAttestorParameters {
  wallet: OperatorWallet;
  domain: ObservationLedgerDomain;
  /** The folder the relayer reads. */
  outbox: string;
  log: (line: string) => void;
}

/** Attests by signing the observation (EIP-712) into a file in the relayer's folder. */
export function signatureAttestor(parameters: SignatureAttestorParameters): WitnessAttestor {
  return {
    mode: "signature",
    async attest(observation: DerivedObservation): Promise<Hex | undefined> {
      const signature = await signObservation(
        parameters.wallet,
        parameters.domain,
        observation.header,
      );
      const file = await writeSignatureFile(parameters.outbox, {
        chainId: parameters.domain.chainId,
        ledger: parameters.domain.verifyingContract,
        witness: parameters.wallet.account.address,
        observationHash: observation.hash,
        slot: observation.slot,
        header: observation.header,
        signature,
      });
      parameters.log(`signed ${observation.hash} into ${file}`);
      return undefined;
    },
  };
}
