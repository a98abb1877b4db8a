package dev.teeledger.indexer;

/**
 * A published record (or its id) that does not follow the indexer's schema (docs/indexer.md).
 * Thrown by the {@code fromJson} readers consumers call, never by the indexer's own
 * publishing path; consumers should park such a record rather than retry it.
 */
public final class RecordFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public RecordFormatException(String message) {
        super(message);
    }

    public RecordFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
