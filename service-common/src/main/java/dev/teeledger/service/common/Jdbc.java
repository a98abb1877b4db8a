package dev.teeledger.service.common;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The few JDBC calls the read-model stores make: positional parameters bound with
 * {@code setObject}, statements and result sets always closed. Writes run on the caller's
 * connection (inside its transaction); reads take a pooled connection and turn an
 * {@link SQLException} into an unchecked failure, which the problem mappers answer with 5xx.
 */
public final class Jdbc {
    private Jdbc() {}

    /** Maps the current row of a result set. */
    @FunctionalInterface
    public interface Row<T> {
        T map(ResultSet r) throws SQLException;
    }

    /** Work done on one connection inside one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction on a pooled connection: committed if it returns,
     * rolled back if it throws, so a failed event leaves no partial write behind.
     */
    public static <T> T inTransaction(DataSource db, Work<T> work) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Records an event id in the read model's {@code processed_events} table (columns
     * {@code event_id, height, type}); true if it was not there yet. The indexer delivers at
     * least once, so a store applies an event's effect only when this returns true, in the same
     * transaction.
     */
    public static boolean markProcessed(Connection c, String eventId, long height, String type) throws SQLException {
        return update(c, "insert into processed_events (event_id, height, type) values (?, ?, ?) on conflict do nothing",
                eventId, height, type) == 1;
    }

    /** Runs an insert/update/delete on {@code c}; returns the affected row count. */
    public static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            return s.executeUpdate();
        }
    }

    /** Every row of a query, mapped in order. */
    public static <T> List<T> query(DataSource db, String sql, Row<T> row, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            List<T> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(row.map(r));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("read model query failed", e);
        }
    }

    /** The first row of a query, if any. */
    public static <T> Optional<T> queryOne(DataSource db, String sql, Row<T> row, Object... args) {
        List<T> all = query(db, sql, row, args);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    private static void bind(PreparedStatement s, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            s.setObject(i + 1, args[i]);
        }
    }
}
