// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title LeaderInboxGasProbe
/// @notice Test helper (never deployed live): measures the gas an inbox call executes, apart from the
///         transaction's intrinsic and calldata cost. The batch is copied to memory before the
///         measurement, so what is measured is the CALL and the inbox's own execution.
contract LeaderInboxGasProbe {
    /// @notice Emitted with the result of `measure`.
    /// @param gasUsed Gas between just before and just after the call.
    /// @param success Whether the inbox accepted the call.
    event Measured(uint256 gasUsed, bool success);

    /// @notice Calls `inbox` with `batch` (as this contract) and reports the gas the call used.
    /// @param inbox The inbox.
    /// @param batch The calldata to send.
    /// @return gasUsed Gas between just before and just after the call.
    /// @return success Whether the call succeeded.
    function measure(address inbox, bytes calldata batch) external returns (uint256 gasUsed, bool success) {
        bytes memory data = batch;
        uint256 before = gasleft();
        // In assembly so that the call passes `data` where it is: `inbox.call(data)` would copy it
        // again, inside the measurement.
        assembly ("memory-safe") {
            success := call(gas(), inbox, 0, add(data, 32), mload(data), 0, 0)
        }
        gasUsed = before - gasleft();
        emit Measured(gasUsed, success);
    }
}
