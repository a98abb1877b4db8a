package dev.teeledger.abci.state;

/**
 * A failure of the state store: the database cannot be opened or written, a version is not
 * (or no longer) retained, a commit is called out of order, or stored data is inconsistent.
 * Thrown by {@link MerkleStore}; a failed commit leaves the last committed version intact.
 */
public class StoreException extends Exception {

    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
