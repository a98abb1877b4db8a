package dev.teeledger.cli;

/**
 * A failure the user can act on (bad file, key not among the signers, chain refused the
 * transaction). Printed as one line; the exit code tells scripts what kind it was:
 * 2 bad input, 3 the chain answered with a rejection, 4 the chain could not be reached or
 * its answer did not verify, 5 the chain holds no such item (proven absent with --verified).
 */
public final class CliException extends RuntimeException {
    public static final int BAD_INPUT = 2;
    public static final int REJECTED = 3;
    public static final int CHAIN = 4;
    public static final int NOT_FOUND = 5;

    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
