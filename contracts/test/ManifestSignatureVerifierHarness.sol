// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {ManifestBody} from "../libraries/EveryChannelTypes.sol";
import {EveryChannelManifestTypedData} from "../libraries/EveryChannelManifestTypedData.sol";

/// @title ManifestSignatureVerifierHarness
/// @notice Test-only: verifies EIP-712 manifest-body signatures exactly as `EveryChannelRail` does,
///         under the domain ("EveryChannelRail", "1", chain id, this contract). Never deployed outside tests.
contract ManifestSignatureVerifierHarness is EIP712("EveryChannelRail", "1") {
    /// @notice Whether `signature` is `signer`'s EIP-712 signature over `body` (EOA via ECDSA, contract
    ///         signers via ERC-1271).
    /// @param body The signed manifest body.
    /// @param signer The claimed signer.
    /// @param signature The signature bytes.
    /// @return True when valid.
    function verifyManifestSignature(
        ManifestBody calldata body,
        address signer,
        bytes calldata signature
    ) external view returns (bool) {
        return SignatureChecker.isValidSignatureNow(signer, manifestDigest(body), signature);
    }

    /// @notice `verifyManifestSignature` together with the exact gas it used (digest and signature check).
    /// @param body The signed manifest body.
    /// @param signer The claimed signer.
    /// @param signature The signature bytes.
    /// @return valid Whether the signature is valid.
    /// @return gasUsed The gas the check used.
    function verifyManifestSignatureGas(
        ManifestBody calldata body,
        address signer,
        bytes calldata signature
    ) external view returns (bool valid, uint256 gasUsed) {
        uint256 before = gasleft();
        valid = SignatureChecker.isValidSignatureNow(signer, manifestDigest(body), signature);
        gasUsed = before - gasleft();
    }

    /// @notice The EIP-712 digest of `body` under this contract's domain.
    /// @param body The manifest body.
    /// @return The digest a signer signs.
    function manifestDigest(ManifestBody calldata body) public view returns (bytes32) {
        return _hashTypedDataV4(EveryChannelManifestTypedData.hashManifestBody(body));
    }

    /// @notice The EIP-712 digest of `body` under an explicit domain separator (used to check the
    ///         checked-in vectors, whose domain names a fixed contract address).
    /// @param separator The domain separator.
    /// @param body The manifest body.
    /// @return The digest.
    function manifestDigestForDomain(
        bytes32 separator,
        ManifestBody calldata body
    ) external pure returns (bytes32) {
        return
            MessageHashUtils.toTypedDataHash(separator, EveryChannelManifestTypedData.hashManifestBody(body));
    }

    /// @notice Whether `signature` is `signer`'s signature over `body` under an explicit domain separator
    ///         (used to check the checked-in vectors).
    /// @param separator The domain separator.
    /// @param body The signed manifest body.
    /// @param signer The claimed signer.
    /// @param signature The signature bytes.
    /// @return True when valid.
    function verifyManifestSignatureForDomain(
        bytes32 separator,
        ManifestBody calldata body,
        address signer,
        bytes calldata signature
    ) external view returns (bool) {
        bytes32 digest = MessageHashUtils.toTypedDataHash(
            separator,
            EveryChannelManifestTypedData.hashManifestBody(body)
        );
        return SignatureChecker.isValidSignatureNow(signer, digest, signature);
    }

    /// @notice This contract's EIP-712 domain separator.
    /// @return The domain separator.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }
}
