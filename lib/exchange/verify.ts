/**
 * What makes a signature arriving over the network worth keeping: it is the EIP-712 signature of an
 * active witness of the ledger's registry. No account is needed: the signature names its signer.
 *
 * - `registryWitnesses`: the registry's active witnesses, read at most once per `ttlMs` (and again
 *   at most once per `ttlMs` when an unknown signer shows up, so that a witness just added is let in
 *   without a registry read per forged request).
 * - `verifyWitnessSignature`: a 65-byte signature is checked locally (ECDSA recovery, no RPC);
 *   otherwise, or when recovery names someone else and the witness holds code, the node checks it
 *   (ERC-1271 `isValidSignature` through viem's `verifyTypedData`).
 */
import {
  getAddress,
  recoverTypedDataAddress,
  type Address,
  type Hex,
  type PublicClient,
  type TypedDataDefinition,
} from "viem";

import type { RegistryRef } from "../operator/contracts";

/** Who may sign: the registry's active witnesses. */
export interface WitnessSet {
  /** Whether `witness` is active now. */
  isActive(witness: Address): Promise<boolean>;
  /** The active witnesses. */
  active(): Promise<ReadonlySet<Address>>;
}

export interface RegistryWitnessesParameters {
  client: PublicClient;
  registry: RegistryRef;
  /** How long a reading of the registry is trusted (default 5,000 ms). */
  ttlMs?: number;
  now?: () => number;
}

/** The registry's active witnesses, cached for `ttlMs`. */
export function registryWitnesses(parameters: RegistryWitnessesParameters): WitnessSet {
  const ttlMs = parameters.ttlMs ?? 5_000;
  const now = parameters.now ?? Date.now;
  let cached: { at: number; set: ReadonlySet<Address> } | undefined;
  let reading: Promise<ReadonlySet<Address>> | undefined;
  const read = (): Promise<ReadonlySet<Address>> => {
    reading ??= parameters.client
      .readContract({
        address: parameters.registry.address,
        abi: parameters.registry.abi,
        functionName: "witnesses",
      })
      .then((list) => {
        const set = new Set(list.map((a) => getAddress(a)));
        cached = { at: now(), set };
        return set;
      })
      .finally(() => (reading = undefined));
    return reading;
  };
  const fresh = async (): Promise<ReadonlySet<Address>> =>
    cached !== undefined && now() - cached.at < ttlMs ? cached.set : read();
  return {
    active: fresh,
    async isActive(witness) {
      const set = await fresh();
      if (set.has(witness)) return true;
      // Someone unknown: read again unless this reading is recent (a witness added meanwhile).
      if (cached !== undefined && now() - cached.at < Math.min(ttlMs, 1_000)) return false;
      return (await read()).has(witness);
    },
  };
}

/** A fixed set of witnesses (tests, benchmarks). */
export function fixedWitnesses(witnesses: readonly Address[]): WitnessSet {
  const set: ReadonlySet<Address> = new Set(witnesses.map((w) => getAddress(w)));
  return { active: async () => set, isActive: async (witness) => set.has(witness) };
}

export interface VerifyWitnessSignatureParameters {
  client: PublicClient;
  witness: Address;
  signature: Hex;
  typedData: TypedDataDefinition;
}

/** Whether a witness (an EOA, or a contract through ERC-1271) holds code, cached per client. */
const codeCache = new WeakMap<PublicClient, Map<Address, boolean>>();

async function holdsCode(client: PublicClient, witness: Address): Promise<boolean> {
  let cache = codeCache.get(client);
  if (cache === undefined) {
    cache = new Map();
    codeCache.set(client, cache);
  }
  let value = cache.get(witness);
  if (value === undefined) {
    const code = await client.getCode({ address: witness });
    value = code !== undefined && code !== "0x";
    cache.set(witness, value);
  }
  return value;
}

/** Whether `signature` is `witness`'s EIP-712 signature over `typedData`. */
export async function verifyWitnessSignature(
  parameters: VerifyWitnessSignatureParameters,
): Promise<boolean> {
  const { client, witness, signature, typedData } = parameters;
  if (signature.length === 2 + 130) {
    try {
      const recovered = await recoverTypedDataAddress({ ...typedData, signature });
      if (getAddress(recovered) === witness) return true;
    } catch {
      // not a recoverable ECDSA signature: a contract signer may still accept it
    }
  }
  if (!(await holdsCode(client, witness))) return false;
  return client.verifyTypedData({ address: witness, signature, ...typedData });
}
