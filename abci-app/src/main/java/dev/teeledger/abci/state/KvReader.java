package dev.teeledger.abci.state;

import java.util.function.BiConsumer;

/**
 * Read access to a key-value state: the committed state ({@link MerkleStore#latest()}), a
 * retained historic version ({@link MerkleStore#readerAt(long)}) or a {@link WorkingSet} with
 * its staged changes. State modules (keepers) take the narrowest view they need.
 *
 * <p>Keys and values are byte strings compared as unsigned bytes, lexicographically (the order
 * of {@link java.util.Arrays#compareUnsigned(byte[], byte[])}). Returned arrays are the caller's
 * to keep. Storage failures surface as {@link UncheckedStoreException}: they mean the node
 * cannot go on, never that a key is absent.
 */
public interface KvReader {

    /** The value stored under {@code key}, or null when the key is absent. */
    byte[] get(byte[] key);

    /**
     * Calls {@code visitor} with every entry whose key starts with {@code prefix} (an empty
     * prefix visits everything), in ascending unsigned-lexicographic key order. The order and
     * the set of entries are deterministic. The visitor sees the state as it was when the scan
     * started; it may write to a working set without disturbing the scan.
     */
    void scan(byte[] prefix, BiConsumer<byte[], byte[]> visitor);
}
