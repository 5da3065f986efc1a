// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {EveryChannelRail} from "../../../contracts/EveryChannelRail.sol";
import {
    IEveryChannelRail as IRail,
    ManifestPointer,
    AnnouncementPointer
} from "../../../contracts/interfaces/IEveryChannelRail.sol";
import {BroadcastId, StreamKey} from "../../../contracts/libraries/EveryChannelTypes.sol";
import {HandlerBase} from "../utils/HandlerBase.sol";

/// @title RailHandler
/// @notice Drives `EveryChannelRail` over two streams, three epochs each, with four keys: claims (direct and
///         signed), publisher proposals and acceptances, manifest and announcement pointers (direct and
///         signed, by the publisher and by others, with fresh, stale and replayed nonces, signatures by the
///         wrong key, stale revisions and sequences, zero hashes), batches of them (direct and signed, empty
///         ones included) and nonce cancellations. Its model (ghost
///         variables) changes only on calls the model says the publisher authorized; every call's outcome is
///         compared with the model's.
contract RailHandler is HandlerBase {
    uint256 public constant ACTORS = 4;
    uint256 public constant STREAMS = 2;
    uint256 public constant EPOCHS = 3;

    EveryChannelRail public immutable rail;

    // The model.
    mapping(bytes32 streamId => address publisher) public modelPublisher;
    mapping(bytes32 streamId => address pending) public modelPending;
    mapping(bytes32 streamId => mapping(uint64 epochId => bytes32 bodyHash)) public modelManifest;
    mapping(bytes32 streamId => mapping(uint64 epochId => uint64 revision)) public modelRevision;
    mapping(bytes32 streamId => bytes32 announcementHash) public modelAnnouncement;
    mapping(bytes32 streamId => uint64 sequence) public modelSequence;
    mapping(address account => uint256 nonce) public modelNonce;

    constructor() {
        rail = new EveryChannelRail();
    }

    // ---------------------------------------------------------------------------------------------
    // Actions
    // ---------------------------------------------------------------------------------------------

    /// @notice An actor claims a stream, directly or by a signature a relayer submits.
    function claim(uint256 actorSeed, uint256 streamSeed, bool bySig, uint256 nonceSeed) external {
        address actor = _keyAddr(actorSeed % ACTORS);
        StreamKey memory key = streamKey(streamSeed);
        bytes32 id = keccak256(abi.encode(key));
        bool ok = modelPublisher[id] == address(0);
        bool success;
        bytes memory err;
        if (bySig) {
            uint256 nonce = _nonce(actor, nonceSeed);
            ok = ok && nonce == modelNonce[actor];
            bytes32 structHash = keccak256(
                abi.encode(
                    keccak256(
                        "ClaimStream(bytes32 streamId,address publisher,uint256 nonce,uint256 deadline)"
                    ),
                    id,
                    actor,
                    nonce,
                    block.timestamp
                )
            );
            bytes memory signature = _sign(actorSeed % ACTORS, structHash);
            (success, err) = address(rail).call(
                abi.encodeCall(IRail.claimStreamWithSig, (key, actor, nonce, block.timestamp, signature))
            );
            if (success) ++modelNonce[actor];
        } else {
            vm.prank(actor);
            (success, err) = address(rail).call(abi.encodeCall(IRail.claimStream, (key)));
        }
        _settle(ok, success, err, "claim");
        if (success && ok) modelPublisher[id] = actor;
    }

    /// @notice An actor proposes a new publisher (another actor, or zero to withdraw).
    function proposePublisher(uint256 actorSeed, uint256 streamSeed, uint256 toSeed) external {
        address actor = _keyAddr(actorSeed % ACTORS);
        bytes32 id = streamId(streamSeed);
        address to = toSeed % (ACTORS + 1) == ACTORS ? address(0) : _keyAddr(toSeed % ACTORS);
        bool ok = modelPublisher[id] == actor;
        vm.prank(actor);
        (bool success, bytes memory err) = address(rail).call(
            abi.encodeCall(IRail.proposePublisher, (id, to))
        );
        _settle(ok, success, err, "proposePublisher");
        if (success && ok) modelPending[id] = to;
    }

    /// @notice An actor accepts the publisher role of a stream.
    function acceptPublisher(uint256 actorSeed, uint256 streamSeed) external {
        address actor = _keyAddr(actorSeed % ACTORS);
        bytes32 id = streamId(streamSeed);
        bool ok = modelPending[id] == actor;
        vm.prank(actor);
        (bool success, bytes memory err) = address(rail).call(abi.encodeCall(IRail.acceptPublisher, (id)));
        _settle(ok, success, err, "acceptPublisher");
        if (success && ok) {
            modelPublisher[id] = actor;
            modelPending[id] = address(0);
        }
    }

    /// @notice An actor cancels its current nonce.
    function cancelNonce(uint256 actorSeed) external {
        address actor = _keyAddr(actorSeed % ACTORS);
        vm.prank(actor);
        (bool success, bytes memory err) = address(rail).call(abi.encodeCall(IRail.cancelNonce, ()));
        _settle(true, success, err, "cancelNonce");
        if (success) ++modelNonce[actor];
    }

    /// @notice A manifest pointer, sent by an actor or relayed with a signature (by `signerSeed`'s key).
    function publishManifest(
        uint256 actorSeed,
        uint256 pointerSeed,
        bool bySig,
        uint256 signerSeed,
        uint256 nonceSeed
    ) external {
        address actor = _keyAddr(actorSeed % ACTORS);
        ManifestPointer memory p = _manifestPointer(pointerSeed);
        bytes32 stored = modelManifest[p.streamId][p.epochId];
        bool ok = modelPublisher[p.streamId] == actor &&
            p.manifestBodyHash != bytes32(0) &&
            (stored == bytes32(0) || p.revision > modelRevision[p.streamId][p.epochId]);
        bool success;
        bytes memory err;
        if (bySig) {
            uint256 signer = signerSeed % 4 == 0 ? signerSeed % ACTORS : actorSeed % ACTORS;
            uint256 nonce = _nonce(actor, nonceSeed);
            ok = ok && nonce == modelNonce[actor] && _keyAddr(signer) == actor;
            bytes32 structHash = keccak256(
                abi.encode(
                    keccak256(
                        "PublishManifest(address publisher,ManifestPointer pointer,uint256 nonce,uint256 deadline)ManifestPointer(bytes32 streamId,uint64 epochId,bytes32 manifestBodyHash,bytes32 manifestEnvelopeHash,bytes32 dataRoot,bytes32 manifestId,uint64 revision)"
                    ),
                    actor,
                    _hashManifestPointer(p),
                    nonce,
                    block.timestamp
                )
            );
            (success, err) = address(rail).call(
                abi.encodeCall(
                    IRail.publishManifestWithSig,
                    (actor, p, nonce, block.timestamp, _sign(signer, structHash))
                )
            );
            if (success) ++modelNonce[actor];
        } else {
            vm.prank(actor);
            (success, err) = address(rail).call(abi.encodeCall(IRail.publishManifest, (p)));
        }
        _settle(ok, success, err, "publishManifest");
        if (success && ok) {
            modelManifest[p.streamId][p.epochId] = p.manifestBodyHash;
            modelRevision[p.streamId][p.epochId] = p.revision;
        }
    }

    /// @notice An announcement pointer, sent by an actor or relayed with a signature (by `signerSeed`'s key).
    function publishAnnouncement(
        uint256 actorSeed,
        uint256 pointerSeed,
        bool bySig,
        uint256 signerSeed,
        uint256 nonceSeed
    ) external {
        address actor = _keyAddr(actorSeed % ACTORS);
        AnnouncementPointer memory p = _announcementPointer(pointerSeed);
        bool ok = modelPublisher[p.streamId] == actor &&
            p.announcementHash != bytes32(0) &&
            (modelAnnouncement[p.streamId] == bytes32(0) || p.sequence > modelSequence[p.streamId]);
        bool success;
        bytes memory err;
        if (bySig) {
            uint256 signer = signerSeed % 4 == 0 ? signerSeed % ACTORS : actorSeed % ACTORS;
            uint256 nonce = _nonce(actor, nonceSeed);
            ok = ok && nonce == modelNonce[actor] && _keyAddr(signer) == actor;
            bytes32 structHash = keccak256(
                abi.encode(
                    keccak256(
                        "PublishAnnouncement(address publisher,AnnouncementPointer pointer,uint256 nonce,uint256 deadline)AnnouncementPointer(bytes32 streamId,bytes32 announcementHash,bytes32 descriptorHash,uint64 sequence)"
                    ),
                    actor,
                    _hashAnnouncementPointer(p),
                    nonce,
                    block.timestamp
                )
            );
            (success, err) = address(rail).call(
                abi.encodeCall(
                    IRail.publishAnnouncementWithSig,
                    (actor, p, nonce, block.timestamp, _sign(signer, structHash))
                )
            );
            if (success) ++modelNonce[actor];
        } else {
            vm.prank(actor);
            (success, err) = address(rail).call(abi.encodeCall(IRail.publishAnnouncement, (p)));
        }
        _settle(ok, success, err, "publishAnnouncement");
        if (success && ok) {
            modelAnnouncement[p.streamId] = p.announcementHash;
            modelSequence[p.streamId] = p.sequence;
        }
    }

    /// @notice A batch of up to two manifest and two announcement pointers (none, one time in nine), most of
    ///         them for one stream, sent by an actor or relayed with a signature (by `signerSeed`'s key): all of
    ///         it applies, in order, or none of it.
    function publishBatch(
        uint256 actorSeed,
        uint256 batchSeed,
        bool bySig,
        uint256 signerSeed,
        uint256 nonceSeed
    ) external {
        address actor = _keyAddr(actorSeed % ACTORS);
        (ManifestPointer[] memory manifests, AnnouncementPointer[] memory announcements) = _batch(batchSeed);
        bool ok = (manifests.length != 0 || announcements.length != 0) &&
            _batchApplies(actor, manifests, announcements);
        bool success;
        bytes memory err;
        if (bySig) {
            uint256 signer = signerSeed % 4 == 0 ? signerSeed % ACTORS : actorSeed % ACTORS;
            uint256 nonce = _nonce(actor, nonceSeed);
            ok = ok && nonce == modelNonce[actor] && _keyAddr(signer) == actor;
            bytes32[] memory manifestHashes = new bytes32[](manifests.length);
            for (uint256 i = 0; i < manifests.length; ++i)
                manifestHashes[i] = _hashManifestPointer(manifests[i]);
            bytes32[] memory announcementHashes = new bytes32[](announcements.length);
            for (uint256 i = 0; i < announcements.length; ++i) {
                announcementHashes[i] = _hashAnnouncementPointer(announcements[i]);
            }
            bytes32 structHash = keccak256(
                abi.encode(
                    keccak256(
                        "PublishBatch(address publisher,ManifestPointer[] manifests,AnnouncementPointer[] announcements,uint256 nonce,uint256 deadline)AnnouncementPointer(bytes32 streamId,bytes32 announcementHash,bytes32 descriptorHash,uint64 sequence)ManifestPointer(bytes32 streamId,uint64 epochId,bytes32 manifestBodyHash,bytes32 manifestEnvelopeHash,bytes32 dataRoot,bytes32 manifestId,uint64 revision)"
                    ),
                    actor,
                    keccak256(abi.encodePacked(manifestHashes)),
                    keccak256(abi.encodePacked(announcementHashes)),
                    nonce,
                    block.timestamp
                )
            );
            (success, err) = address(rail).call(
                abi.encodeCall(
                    IRail.publishBatchWithSig,
                    (actor, manifests, announcements, nonce, block.timestamp, _sign(signer, structHash))
                )
            );
            if (success) ++modelNonce[actor];
        } else {
            vm.prank(actor);
            (success, err) = address(rail).call(
                abi.encodeCall(IRail.publishBatch, (manifests, announcements))
            );
        }
        _settle(ok, success, err, "publishBatch");
        if (success && ok) {
            for (uint256 i = 0; i < manifests.length; ++i) {
                ManifestPointer memory p = manifests[i];
                modelManifest[p.streamId][p.epochId] = p.manifestBodyHash;
                modelRevision[p.streamId][p.epochId] = p.revision;
            }
            for (uint256 i = 0; i < announcements.length; ++i) {
                modelAnnouncement[announcements[i].streamId] = announcements[i].announcementHash;
                modelSequence[announcements[i].streamId] = announcements[i].sequence;
            }
        }
    }

    /// @notice Time passes (1 to 60 seconds).
    function warp(uint256 secondsSeed) external {
        vm.warp(block.timestamp + _bound(secondsSeed, 1, 60));
    }

    // ---------------------------------------------------------------------------------------------
    // Views and internals
    // ---------------------------------------------------------------------------------------------

    /// @notice The stream key of seed `s`.
    function streamKey(uint256 s) public pure returns (StreamKey memory key) {
        key.broadcast = BroadcastId(1, bytes2("US"), 27, 1, uint16(3 + (s % STREAMS)), 4, 1, "KEVC");
        key.profile = "main";
    }

    /// @notice The id of stream `s`.
    function streamId(uint256 s) public pure returns (bytes32) {
        return keccak256(abi.encode(streamKey(s)));
    }

    /// @dev The manifest pointer of seed `seed`: stream `seed % STREAMS`, epoch, revision 0 to 7, a zero body
    ///      hash one time in sixteen.
    function _manifestPointer(uint256 seed) internal pure returns (ManifestPointer memory p) {
        p.streamId = streamId(seed);
        p.epochId = uint64((seed >> 8) % EPOCHS);
        p.manifestBodyHash = (seed >> 16) % 16 == 0 ? bytes32(0) : keccak256(abi.encode("body", seed));
        p.manifestEnvelopeHash = keccak256(abi.encode("envelope", seed));
        p.revision = uint64((seed >> 24) % 8);
    }

    /// @dev The announcement pointer of seed `seed`: stream `seed % STREAMS`, sequence 0 to 7, a zero hash one
    ///      time in sixteen.
    function _announcementPointer(uint256 seed) internal pure returns (AnnouncementPointer memory p) {
        p.streamId = streamId(seed);
        p.announcementHash = (seed >> 16) % 16 == 0 ? bytes32(0) : keccak256(abi.encode("ann", seed));
        p.descriptorHash = keccak256(abi.encode("descriptor", seed));
        p.sequence = uint64((seed >> 24) % 8);
    }

    function _hashManifestPointer(ManifestPointer memory p) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    keccak256(
                        "ManifestPointer(bytes32 streamId,uint64 epochId,bytes32 manifestBodyHash,bytes32 manifestEnvelopeHash,bytes32 dataRoot,bytes32 manifestId,uint64 revision)"
                    ),
                    p
                )
            );
    }

    function _hashAnnouncementPointer(AnnouncementPointer memory p) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    keccak256(
                        "AnnouncementPointer(bytes32 streamId,bytes32 announcementHash,bytes32 descriptorHash,uint64 sequence)"
                    ),
                    p
                )
            );
    }

    /// @dev Up to two manifest and two announcement pointers of `seed`; each item is for stream
    ///      `(seed >> 4) % STREAMS`, or one time in eight for the other one.
    function _batch(
        uint256 seed
    ) internal pure returns (ManifestPointer[] memory manifests, AnnouncementPointer[] memory announcements) {
        uint256 s = (seed >> 4) % STREAMS;
        manifests = new ManifestPointer[](seed % 3);
        announcements = new AnnouncementPointer[]((seed >> 2) % 3);
        for (uint256 i = 0; i < manifests.length; ++i) {
            uint256 item = uint256(keccak256(abi.encode(seed, "manifest", i)));
            manifests[i] = _manifestPointer(item);
            manifests[i].streamId = streamId(item % 8 == 0 ? s + 1 : s);
        }
        for (uint256 i = 0; i < announcements.length; ++i) {
            uint256 item = uint256(keccak256(abi.encode(seed, "announcement", i)));
            announcements[i] = _announcementPointer(item);
            announcements[i].streamId = streamId(item % 8 == 0 ? s + 1 : s);
        }
    }

    /// @dev Whether every pointer of the batch applies when they are applied in order (each against the model
    ///      as the items before it left it) by `actor`.
    function _batchApplies(
        address actor,
        ManifestPointer[] memory manifests,
        AnnouncementPointer[] memory announcements
    ) internal view returns (bool) {
        for (uint256 i = 0; i < manifests.length; ++i) {
            ManifestPointer memory p = manifests[i];
            if (modelPublisher[p.streamId] != actor || p.manifestBodyHash == bytes32(0)) return false;
            bytes32 stored = modelManifest[p.streamId][p.epochId];
            uint64 revision = modelRevision[p.streamId][p.epochId];
            for (uint256 j = 0; j < i; ++j) {
                if (manifests[j].streamId == p.streamId && manifests[j].epochId == p.epochId) {
                    stored = manifests[j].manifestBodyHash;
                    revision = manifests[j].revision;
                }
            }
            if (stored != bytes32(0) && p.revision <= revision) return false;
        }
        for (uint256 i = 0; i < announcements.length; ++i) {
            AnnouncementPointer memory p = announcements[i];
            if (modelPublisher[p.streamId] != actor || p.announcementHash == bytes32(0)) return false;
            bytes32 stored = modelAnnouncement[p.streamId];
            uint64 sequence = modelSequence[p.streamId];
            for (uint256 j = 0; j < i; ++j) {
                if (announcements[j].streamId == p.streamId) {
                    stored = announcements[j].announcementHash;
                    sequence = announcements[j].sequence;
                }
            }
            if (stored != bytes32(0) && p.sequence <= sequence) return false;
        }
        return true;
    }

    /// @dev The account's next nonce, or (one time in four) a used or a future one.
    function _nonce(address account, uint256 seed) internal view returns (uint256) {
        uint256 n = modelNonce[account];
        if (seed % 8 == 0 && n > 0) return n - 1;
        if (seed % 8 == 1) return n + 1;
        return n;
    }

    function _sign(uint256 keyIndex, bytes32 structHash) internal view returns (bytes memory) {
        (, string memory name, string memory version, uint256 chainId, address verifying, , ) = rail
            .eip712Domain();
        bytes32 domainSeparator = keccak256(
            abi.encode(
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak256(bytes(name)),
                keccak256(bytes(version)),
                chainId,
                verifying
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(_key(keyIndex), digest);
        return abi.encodePacked(r, s, v);
    }

    function _settle(bool expected, bool success, bytes memory err, string memory what) internal {
        _expect(expected, success, what);
        if (!success) _classify(err, _railErrors());
    }

    function _railErrors() internal pure returns (bytes4[] memory e) {
        e = new bytes4[](12);
        e[0] = IRail.StreamAlreadyClaimed.selector;
        e[1] = IRail.StreamNotClaimed.selector;
        e[2] = IRail.NotPublisher.selector;
        e[3] = IRail.NotPendingPublisher.selector;
        e[4] = IRail.StaleManifestRevision.selector;
        e[5] = IRail.StaleAnnouncementSequence.selector;
        e[6] = IRail.ZeroManifestBodyHash.selector;
        e[7] = IRail.ZeroAnnouncementHash.selector;
        e[8] = IRail.SignatureExpired.selector;
        e[9] = IRail.InvalidSignature.selector;
        e[10] = Nonces.InvalidAccountNonce.selector;
        e[11] = IRail.EmptyBatch.selector;
    }
}
