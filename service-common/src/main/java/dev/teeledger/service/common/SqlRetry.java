package dev.teeledger.service.common;

import java.sql.SQLException;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Retries a read-model write while the database is unreachable, so that a PostgreSQL outage
 * pauses a Kafka consumer instead of failing its channel for good. The consumers call
 * {@link #untilDone} around the store's {@code apply}: the record being applied is retried in
 * place (later records of the partition wait behind it, so order is kept) with a backoff from
 * 100 ms doubling to 2 s, and consumption resumes by itself when the database is back. That is
 * safe because {@code apply} runs in one database transaction keyed by the event id: a failed
 * attempt changed nothing, and an attempt whose commit succeeded but whose answer was lost is
 * a duplicate the next attempt skips.
 *
 * <p>Only failures that can go away are retried: anything but an SQLState of class 22 (data
 * exception), 23 (integrity constraint violation) or 42 (syntax error or access rule violation),
 * which signal a bug or a schema mismatch; those propagate at once and fail the channel, as
 * before. Connection loss (class 08), an administrator or crash shutdown (57P01-57P03) and a
 * pool acquisition timeout (no SQLState) are retried. The thread's interruption ends the loop.
 */
public final class SqlRetry {
    private static final Logger LOG = Logger.getLogger(SqlRetry.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private SqlRetry() {}

    /** One attempt of a database operation. */
    @FunctionalInterface
    public interface SqlCall<T> {
        T call() throws SQLException;
    }

    /**
     * Runs {@code call} until it succeeds or fails permanently.
     *
     * @param what names the operation in the log (e.g. the event id)
     * @throws SQLException a permanent failure (SQLState class 22, 23 or 42), or the last failure
     *     when the thread is interrupted while waiting
     */
    public static <T> T untilDone(String what, SqlCall<T> call) throws SQLException {
        long backoff = FIRST_BACKOFF.toMillis();
        int attempt = 0;
        while (true) {
            try {
                T result = call.call();
                if (attempt > 0) {
                    LOG.infof("database available again: %s applied after %d retries", what, attempt);
                }
                return result;
            } catch (SQLException e) {
                if (!transientFailure(e)) {
                    throw e;
                }
                attempt++;
                if (attempt == 1 || attempt % 20 == 0) {
                    LOG.warnf("database unavailable while applying %s (attempt %d, retrying): %s", what, attempt, e.getMessage());
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    e.addSuppressed(ie);
                    throw e;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
            }
        }
    }

    /** Whether a failure may go away by itself (see the class comment). */
    public static boolean transientFailure(SQLException e) {
        String state = e.getSQLState();
        if (state == null || state.length() < 2) {
            return true;
        }
        String cls = state.substring(0, 2);
        return !cls.equals("22") && !cls.equals("23") && !cls.equals("42");
    }
}
