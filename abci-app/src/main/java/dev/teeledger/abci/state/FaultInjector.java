package dev.teeledger.abci.state;

/**
 * Test hook called by {@link MerkleStore} at each {@link FaultPoint}; throwing simulates a crash
 * or I/O failure there. Production uses {@link #NONE}. Set it through {@link StoreConfig}.
 */
@FunctionalInterface
public interface FaultInjector {

    /** Never fails. */
    FaultInjector NONE = point -> { };

    /** Called when a commit reaches {@code point}; throw to make it fail there. */
    void reached(FaultPoint point) throws StoreException;
}
