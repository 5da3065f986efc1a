// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title MockERC1271Wallet
/// @notice Test-only smart-contract wallet: accepts a signature when it is its owner's ECDSA signature
///         over the hash. Never deployed outside tests.
contract MockERC1271Wallet is IERC1271 {
    /// @notice The key holder whose signatures this wallet accepts.
    address public immutable OWNER;

    /// @param initialOwner The key holder.
    constructor(address initialOwner) {
        OWNER = initialOwner;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == OWNER)
            return IERC1271.isValidSignature.selector;
        return 0xffffffff;
    }
}
