package dev.teeledger.protocol.tpm;

/**
 * The caller's set of approved component hashes (firmware images, WASM modules), consulted by
 * {@link QuoteVerifier} for every measurement in a quoted log. The ledger evaluates it against its
 * state at the round's height, so the answer must be a pure function of that state: no clock, no
 * network. Implementations must not keep or modify the array they are given.
 */
@FunctionalInterface
public interface FirmwareAllowList {

    /** True iff the component with this SHA-256 digest (32 bytes) may run on an HSM. */
    boolean isApproved(byte[] sha256);
}
