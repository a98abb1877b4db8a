package dev.teeledger.abci.state;

/**
 * A writable key-value state. The only implementation is {@link WorkingSet}: writes are staged
 * in memory and reach disk only through {@link MerkleStore#commit}, so block execution never
 * persists anything before CometBFT's {@code Commit} (ABCI 2.0, "FinalizeBlock must not
 * persist").
 */
public interface KvStore extends KvReader {

    /**
     * Stages {@code key → value}. Both arrays are copied. Keys are 1 to
     * {@value WorkingSet#MAX_KEY_LENGTH} bytes, values at most {@value WorkingSet#MAX_VALUE_LENGTH}
     * bytes (may be empty).
     *
     * @throws IllegalArgumentException for a null, empty or oversized key or value
     */
    void put(byte[] key, byte[] value);

    /** Stages the removal of {@code key}; removing an absent key is allowed and changes nothing. */
    void delete(byte[] key);
}
