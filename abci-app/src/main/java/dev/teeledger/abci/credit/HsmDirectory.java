package dev.teeledger.abci.credit;

import dev.teeledger.abci.state.KvReader;

/**
 * What the credit module needs from the HSM registry: whether an id names a
 * registered HSM. Declared here (the consumer side) so that credit never reads
 * registry keys; the registry module implements it over its own state. Must be
 * deterministic and read only committed or in-block state.
 */
@FunctionalInterface
public interface HsmDirectory {
    /** The length of an HSM id: SHA-256 of the EK SubjectPublicKeyInfo. */
    int ID_BYTES = 32;

    /**
     * @param state the block's store, so the answer reflects registrations earlier in the block
     * @param hsmId exactly {@link #ID_BYTES} bytes (callers check the length first)
     */
    boolean isRegistered(KvReader state, byte[] hsmId);
}
