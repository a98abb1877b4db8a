package dev.teeledger.protocol.result;

/**
 * An expected rejection: a transaction or query that breaks a rule. Carries the
 * stable {@link ResultCode} and a detail for the log. Thrown by validators and
 * caught at the transaction boundary, where it becomes a non-zero result code and
 * the transaction's staged writes are discarded.
 */
public final class Rejection extends Exception {
    private final ResultCode code;

    public Rejection(ResultCode code, String detail) {
        super(detail == null || detail.isEmpty() ? code.message() : code.message() + ": " + detail, null, false, false);
        this.code = code;
    }

    public Rejection(ResultCode code) {
        this(code, null);
    }

    public ResultCode code() {
        return code;
    }
}
