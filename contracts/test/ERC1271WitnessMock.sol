// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {IEveryChannelObservationLedger} from "../interfaces/IEveryChannelObservationLedger.sol";
import {ObservationContent} from "../libraries/EveryChannelTypes.sol";

/// @title ERC1271WitnessMock
/// @notice Test-only contract witness: accepts a digest signed by its signer key (ERC-1271) and can attest by
///         transaction. Never deployed to real networks.
contract ERC1271WitnessMock is IERC1271 {
    address private immutable _SIGNER;

    /// @notice Creates the wallet.
    /// @param signer_ The key whose ECDSA signatures the wallet accepts.
    constructor(address signer_) {
        _SIGNER = signer_;
    }

    /// @notice Attests `content` on `ledger` with this contract as the witness.
    /// @param ledger The ledger.
    /// @param content The observation content.
    /// @return finalized What the ledger returned.
    function attest(
        IEveryChannelObservationLedger ledger,
        ObservationContent calldata content
    ) external returns (bool) {
        return ledger.attest(content);
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address recovered, ECDSA.RecoverError error, ) = ECDSA.tryRecover(hash, signature);
        return
            error == ECDSA.RecoverError.NoError && recovered == _SIGNER
                ? this.isValidSignature.selector
                : bytes4(0);
    }
}
