/**
 * Mirroring a manifest or a transport announcement onto the rail (ECP-0092 rollout step 5):
 * read and check the file, build the pointer from its commitments, and either send it as the
 * stream's publisher, sign it for a relayer (`--sign-only`), or relay a publisher's signature
 * (`--signature`). Everything the rail would refuse is refused here first, naming the value.
 */
import { readFile, writeFile } from "node:fs/promises";
import {
  encodeFunctionData,
  getAddress,
  zeroAddress,
  zeroHash,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { z } from "zod";

import { manifestBodyHash } from "../commitments/manifest";
import { streamId as streamIdOf } from "../commitments/stream";
import { EveryChannelError, InvalidFieldError } from "../errors";
import { manifestId } from "../local/manifest-id";
import { localManifestMerkleRoot } from "../local/merkle-blake3";
import { readRailDomain } from "../rail/domain";
import { announcementPointerFromAnnouncement, manifestPointerFromManifest } from "../rail/pointer";
import { signAnnouncementPointer, signManifestPointer } from "../rail/sign";
import { railTypes, type AnnouncementPointer, type ManifestPointer } from "../rail/typedData";
import type { Manifest, StreamControlAnnouncement, StreamKey } from "../types/abi";
import { addressJson, decimalJson, hexBytesJson } from "../validation/json-fields";
import { fromJsonText } from "../validation/json-form";
import type { RailRef } from "./contracts";
import { sendPlanned, type OperatorWallet, type SendPlannedReturnType } from "./send";

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (cause) {
    throw new InvalidFieldError(
      file,
      "(file)",
      `cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`,
    );
  }
}

/** Reads a manifest JSON file and checks its `manifestId` and local Merkle root against its body. */
export async function readManifestFile(file: string): Promise<Manifest> {
  const manifest = fromJsonText("Manifest", await readText(file), file);
  const id = manifestId(manifest.body);
  if (id !== manifest.manifestId.toLowerCase()) {
    throw new InvalidFieldError(
      `${file}.manifestId`,
      manifest.manifestId,
      `is not BLAKE3(JCS(body)) (${id})`,
    );
  }
  const root = localManifestMerkleRoot(manifest.body);
  if (root !== manifest.body.merkleRoot.toLowerCase()) {
    throw new InvalidFieldError(
      `${file}.body.merkleRoot`,
      manifest.body.merkleRoot,
      `is not the body's merkle+blake3 root (${root})`,
    );
  }
  return manifest;
}

/** Reads a transport announcement JSON file; refuses one that has already expired. */
export async function readAnnouncementFile(
  file: string,
  nowUnixMs: bigint,
): Promise<StreamControlAnnouncement> {
  const announcement = fromJsonText("StreamControlAnnouncement", await readText(file), file);
  if (announcement.expiresUnixMs <= nowUnixMs) {
    throw new InvalidFieldError(
      `${file}.expiresUnixMs`,
      announcement.expiresUnixMs,
      `is in the past (now ${nowUnixMs}): an expired announcement is not mirrored`,
    );
  }
  return announcement;
}

/** Reads a stream key JSON file (for claiming a stream). */
export async function readStreamKeyFile(file: string): Promise<StreamKey> {
  return fromJsonText("StreamKey", await readText(file), file);
}

/** A publisher's signature over a pointer, as written by `--sign-only` and read by `--signature`. */
export const RAIL_SIGNATURE_SCHEMA = "every.channel/rail-signature/v1";

const railSignatureSchema = z
  .object({
    schema: z.literal(RAIL_SIGNATURE_SCHEMA),
    kind: z.enum(["manifest", "announcement"]),
    chainId: decimalJson,
    rail: addressJson,
    publisher: addressJson,
    pointer: z.record(z.string()),
    nonce: decimalJson,
    deadline: decimalJson,
    signature: hexBytesJson(),
  })
  .strict();
export type RailSignatureFile = z.output<typeof railSignatureSchema>;

function pointerJson(pointer: ManifestPointer | AnnouncementPointer): Record<string, string> {
  return Object.fromEntries(
    Object.entries(pointer).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : String(v)]),
  );
}

async function readRailSignatureFile(file: string): Promise<RailSignatureFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readText(file));
  } catch (cause) {
    if (cause instanceof InvalidFieldError) throw cause;
    throw new InvalidFieldError(file, "(file)", "is not JSON");
  }
  const parsed = railSignatureSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidFieldError(
      `${file}: ${issue?.path.join(".") || "$"}`,
      undefined,
      issue?.message ?? "invalid",
    );
  }
  return parsed.data;
}

export type RailPublication =
  | {
      kind: "manifest";
      manifest: Manifest;
      /** Revision to publish; default: the rail's latest + 1. */ revision?: bigint;
    }
  | { kind: "announcement"; announcement: StreamControlAnnouncement };

export type RailMode =
  | { kind: "direct"; /** Claims the stream first when it is unclaimed. */ streamKey?: StreamKey }
  | { kind: "sign-only"; out: string; deadlineSeconds: bigint }
  | { kind: "relay"; signatureFile: string };

export interface PublishOnRailParameters {
  publicClient: PublicClient;
  wallet: OperatorWallet;
  rail: RailRef;
  publication: RailPublication;
  mode: RailMode;
  dryRun: boolean;
  log: (line: string) => void;
}

export type PublishOnRailReturnType =
  | { outcome: "already-published" }
  | { outcome: "signed"; file: string }
  | {
      outcome: "sent" | "dry-run";
      pointer: ManifestPointer | AnnouncementPointer;
      results: SendPlannedReturnType[];
    };

/** The rail refuses (or would refuse) the publication. */
export class RailPublicationError extends EveryChannelError {
  override name = "RailPublicationError";
}

export async function publishOnRail(
  parameters: PublishOnRailParameters,
): Promise<PublishOnRailReturnType> {
  const { publicClient, wallet, rail, publication, mode, log } = parameters;
  const read = publicClient.readContract;
  const streamId =
    publication.kind === "manifest"
      ? publication.manifest.body.streamId
      : publication.announcement.streamId;
  // The pointer, checked against what the rail holds.
  let pointer: ManifestPointer | AnnouncementPointer;
  if (publication.kind === "manifest") {
    const body = publication.manifest.body;
    const latest = await read({
      address: rail.address,
      abi: rail.abi,
      functionName: "latestManifest",
      args: [streamId, body.epochId],
    });
    const bodyHash = manifestBodyHash(body);
    if (latest.manifestBodyHash === bodyHash && publication.revision === undefined) {
      log(
        `manifest ${publication.manifest.manifestId} of stream ${streamId} epoch ${body.epochId} is already on the rail (revision ${latest.revision}); nothing to send`,
      );
      return { outcome: "already-published" };
    }
    const revision = publication.revision ?? latest.revision + 1n;
    if (latest.manifestBodyHash !== zeroHash && revision <= latest.revision) {
      throw new InvalidFieldError(
        "revision",
        revision,
        `must be above the rail's latest revision ${latest.revision} of stream ${streamId} epoch ${body.epochId}`,
      );
    }
    pointer = manifestPointerFromManifest({ manifest: publication.manifest, revision });
  } else {
    const latest = await read({
      address: rail.address,
      abi: rail.abi,
      functionName: "latestAnnouncement",
      args: [streamId],
    });
    const next = announcementPointerFromAnnouncement(publication.announcement);
    if (latest.announcementHash === next.announcementHash) {
      log(
        `announcement ${next.announcementHash} of stream ${streamId} is already on the rail; nothing to send`,
      );
      return { outcome: "already-published" };
    }
    if (latest.announcementHash !== zeroHash && next.sequence <= latest.sequence) {
      throw new InvalidFieldError(
        "sequence",
        next.sequence,
        `must be above the rail's latest announcement sequence ${latest.sequence} of stream ${streamId}`,
      );
    }
    pointer = next;
  }
  const publisher = await read({
    address: rail.address,
    abi: rail.abi,
    functionName: "publisherOf",
    args: [streamId],
  });
  const sender = wallet.account.address;
  const results: SendPlannedReturnType[] = [];
  let claimPending = false;
  const send = async (description: string, data: Hex): Promise<void> => {
    if (parameters.dryRun && claimPending) {
      log(`${description}: from ${sender} to ${rail.address}`);
      log("  L2 gas and L1 data fee: not estimated (it needs the claim above to be mined first)");
      log("  dry run: nothing sent");
      return;
    }
    results.push(
      await sendPlanned({
        publicClient,
        wallet,
        description,
        to: rail.address,
        data,
        abi: rail.abi,
        dryRun: parameters.dryRun,
        log,
      }),
    );
  };

  if (mode.kind === "sign-only" || mode.kind === "direct") {
    if (publisher === zeroAddress) {
      if (mode.kind !== "direct" || mode.streamKey === undefined) {
        throw new RailPublicationError(
          `stream ${streamId} has no publisher on the rail yet: claim it (give --stream-key with its stream key JSON) before publishing; nothing was sent`,
          { streamId },
        );
      }
      const keyId = streamIdOf(mode.streamKey);
      if (keyId !== streamId)
        throw new InvalidFieldError(
          "stream-key",
          keyId,
          `is the key of another stream than ${streamId}`,
        );
      await send(
        `claimStream(${streamId}) as ${sender}`,
        encodeFunctionData({ abi: rail.abi, functionName: "claimStream", args: [mode.streamKey] }),
      );
      claimPending = true;
    } else if (getAddress(publisher) !== sender) {
      throw new RailPublicationError(
        `stream ${streamId}: its publisher is ${publisher}, not the signing account ${sender}; nothing was sent`,
        { streamId, publisher, sender },
      );
    }
  }

  if (mode.kind === "sign-only") {
    const domain = await readRailDomain(publicClient, { address: rail.address });
    const nonce = await read({
      address: rail.address,
      abi: rail.abi,
      functionName: "nonces",
      args: [sender],
    });
    const deadline = BigInt(Math.floor(Date.now() / 1000)) + mode.deadlineSeconds;
    const signed =
      publication.kind === "manifest"
        ? await signManifestPointer({
            signer: wallet,
            domain,
            nonce,
            deadline,
            pointer: pointer as ManifestPointer,
          })
        : await signAnnouncementPointer({
            signer: wallet,
            domain,
            nonce,
            deadline,
            pointer: pointer as AnnouncementPointer,
          });
    const json = {
      schema: RAIL_SIGNATURE_SCHEMA,
      kind: publication.kind,
      chainId: String(domain.chainId),
      rail: rail.address,
      publisher: sender,
      pointer: pointerJson(pointer),
      nonce: nonce.toString(),
      deadline: deadline.toString(),
      signature: signed.signature,
    };
    await writeFile(mode.out, `${JSON.stringify(json, null, 2)}\n`);
    log(
      `signed the ${publication.kind} pointer as ${sender} (nonce ${nonce}, deadline ${deadline}) into ${mode.out}; a relayer submits it with --signature`,
    );
    return { outcome: "signed", file: mode.out };
  }

  if (mode.kind === "relay") {
    const file = await readRailSignatureFile(mode.signatureFile);
    const domain = await readRailDomain(publicClient, { address: rail.address });
    if (file.kind !== publication.kind)
      throw new InvalidFieldError(
        `${mode.signatureFile}: kind`,
        file.kind,
        `is not a ${publication.kind} signature`,
      );
    if (file.chainId !== BigInt(domain.chainId) || file.rail !== getAddress(rail.address)) {
      throw new InvalidFieldError(
        `${mode.signatureFile}: rail`,
        file.rail,
        `is for chain ${file.chainId}, not this rail ${rail.address} on chain ${domain.chainId}`,
      );
    }
    const signedPointer = file.pointer;
    for (const [field, value] of Object.entries(pointerJson(pointer))) {
      if (
        field === "revision" &&
        publication.kind === "manifest" &&
        publication.revision === undefined
      )
        continue;
      if ((signedPointer[field] ?? "").toLowerCase() !== value.toLowerCase()) {
        throw new InvalidFieldError(
          `${mode.signatureFile}: pointer.${field}`,
          signedPointer[field],
          `does not match the file being published (${value})`,
        );
      }
    }
    if (publication.kind === "manifest") {
      const revision = BigInt(signedPointer.revision ?? "0");
      pointer = { ...(pointer as ManifestPointer), revision };
    }
    if (getAddress(publisher) !== file.publisher) {
      throw new RailPublicationError(
        `stream ${streamId}: its publisher is ${publisher}, not the signer ${file.publisher}; nothing was sent`,
        { streamId },
      );
    }
    const now = BigInt(Math.floor(Date.now() / 1000));
    if (file.deadline < now)
      throw new InvalidFieldError(
        `${mode.signatureFile}: deadline`,
        file.deadline,
        `has passed (now ${now})`,
      );
    const nonce = await read({
      address: rail.address,
      abi: rail.abi,
      functionName: "nonces",
      args: [file.publisher],
    });
    if (file.nonce !== nonce)
      throw new InvalidFieldError(
        `${mode.signatureFile}: nonce`,
        file.nonce,
        `is not the publisher's current nonce ${nonce}`,
      );
    const primaryType = publication.kind === "manifest" ? "PublishManifest" : "PublishAnnouncement";
    const valid = await publicClient.verifyTypedData({
      address: file.publisher,
      signature: file.signature,
      domain,
      types: railTypes,
      primaryType,
      message: { publisher: file.publisher, pointer, nonce: file.nonce, deadline: file.deadline },
    } as Parameters<PublicClient["verifyTypedData"]>[0]);
    if (!valid)
      throw new InvalidFieldError(
        `${mode.signatureFile}: signature`,
        file.signature,
        `is not ${file.publisher}'s signature over this pointer`,
      );
    const data =
      publication.kind === "manifest"
        ? encodeFunctionData({
            abi: rail.abi,
            functionName: "publishManifestWithSig",
            args: [
              file.publisher,
              pointer as ManifestPointer,
              file.nonce,
              file.deadline,
              file.signature,
            ],
          })
        : encodeFunctionData({
            abi: rail.abi,
            functionName: "publishAnnouncementWithSig",
            args: [
              file.publisher,
              pointer as AnnouncementPointer,
              file.nonce,
              file.deadline,
              file.signature,
            ],
          });
    await send(`${primaryType} for ${file.publisher} relayed by ${sender}`, data);
  } else {
    const data =
      publication.kind === "manifest"
        ? encodeFunctionData({
            abi: rail.abi,
            functionName: "publishManifest",
            args: [pointer as ManifestPointer],
          })
        : encodeFunctionData({
            abi: rail.abi,
            functionName: "publishAnnouncement",
            args: [pointer as AnnouncementPointer],
          });
    await send(
      `${publication.kind === "manifest" ? "publishManifest" : "publishAnnouncement"} for stream ${streamId} as ${sender}`,
      data,
    );
  }
  return { outcome: parameters.dryRun ? "dry-run" : "sent", pointer, results };
}
