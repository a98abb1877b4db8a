package dev.teeledger.abci.state;

/**
 * Asked for a version the store does not hold: pruned (older than
 * {@link MerkleStore#oldestRetainedVersion()}), never committed, or in the future. The ABCI
 * query handler maps it to a "height not available" answer rather than an internal error.
 */
public final class VersionUnavailableException extends StoreException {

    private static final long serialVersionUID = 1L;

    private final long version;

    public VersionUnavailableException(long version, String message) {
        super(message);
        this.version = version;
    }

    /** The version that was asked for. */
    public long version() {
        return version;
    }
}
