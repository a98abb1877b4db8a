package dev.teeledger.abci.state;

/**
 * A {@link StoreException} raised where the {@link KvReader} / {@link WorkingSet} signatures
 * allow no checked exception (a RocksDB read failing during block execution, a node missing
 * from disk). It is a broken invariant, not bad input: the ABCI layer lets it halt the node
 * rather than commit a divergent state.
 */
public final class UncheckedStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UncheckedStoreException(StoreException cause) {
        super(cause.getMessage(), cause);
    }

    @Override
    public synchronized StoreException getCause() {
        return (StoreException) super.getCause();
    }
}
