package dev.teeledger.abci.state;

/**
 * A forward, sorted iteration over entries under a prefix: the committed flat table (a RocksDB
 * iterator) or a working set's overlay merged over its parent. Single-threaded; close it.
 */
interface Cursor extends AutoCloseable {

    boolean valid();

    byte[] key();

    /** The value, or {@link WorkingSet#TOMBSTONE} for an overlay deletion. */
    byte[] value();

    void next();

    @Override
    void close();
}
