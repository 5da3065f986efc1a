// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title GasPriceOracleMock
/// @notice Test stand-in for the OP Stack GasPriceOracle predeploy, placed at
///         0x420000000000000000000000000000000000000F with `hardhat_setCode`. The L1 fee is a flat
///         price per byte of the unsigned transaction, so tests can check exactly what was priced.
contract GasPriceOracleMock {
    /// @notice Thrown by `getL1FeeUpperBound` before Fjord, as the predeploy does.
    error GetL1FeeUpperBoundNotSupported();

    /// @notice Whether the Ecotone formula is active.
    bool public isEcotone;
    /// @notice Whether the Fjord (FastLZ) formula is active.
    bool public isFjord;
    /// @notice Wei charged per byte of unsigned transaction.
    uint256 public feePerByte;

    /// @notice Sets the forks and the price (the code is installed without running a constructor).
    /// @param ecotone Whether Ecotone is active.
    /// @param fjord Whether Fjord is active.
    /// @param weiPerByte Wei per byte of unsigned transaction.
    function configure(bool ecotone, bool fjord, uint256 weiPerByte) external {
        isEcotone = ecotone;
        isFjord = fjord;
        feePerByte = weiPerByte;
    }

    /// @notice The L1 fee of an unsigned RLP-encoded transaction: its length times `feePerByte`.
    /// @param data The unsigned transaction.
    /// @return The fee in wei.
    function getL1Fee(bytes calldata data) external view returns (uint256) {
        return data.length * feePerByte;
    }

    /// @notice The Fjord upper bound: (size + 68) plus the FastLZ allowance, times `feePerByte`.
    /// @param unsignedTxSize Bytes of the unsigned transaction.
    /// @return The fee bound in wei.
    function getL1FeeUpperBound(uint256 unsignedTxSize) external view returns (uint256) {
        if (!isFjord) revert GetL1FeeUpperBoundNotSupported();
        uint256 txSize = unsignedTxSize + 68;
        return (txSize + txSize / 255 + 16) * feePerByte;
    }
}
