package dev.teeledger.credit.service;

import dev.teeledger.credit.service.Views.BalanceChange;
import dev.teeledger.credit.service.Views.Normalization;
import dev.teeledger.credit.service.Views.RankedHsm;
import dev.teeledger.credit.service.Views.SupplyPoint;
import dev.teeledger.indexer.ChainEvent;
import dev.teeledger.service.common.HeightRange;
import dev.teeledger.service.common.Ids;
import dev.teeledger.service.common.PageRequest;
import dev.teeledger.service.common.Paged;
import dev.teeledger.service.common.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The PostgreSQL credit read models (schema: {@code db/migration}, applied by Flyway at start)
 * and every SQL statement the service runs. {@link #apply} is the only writer: it records the
 * event id in {@code processed_events} and the event's row in one database transaction, so a
 * redelivered event (the indexer delivers at least once) changes nothing. Called by
 * {@link CreditEventConsumer} (writes) and {@link CreditResource} (reads); plain JDBC on worker
 * threads (JDBC plumbing: service-common's {@code Jdbc}). Balance changes and normalizations are
 * also folded into the supply and ranking read models by {@link SupplyProjector}, in the same
 * transaction.
 */
@ApplicationScoped
public class CreditStore {
    private final DataSource db;

    public CreditStore(DataSource db) {
        this.db = db;
    }

    /**
     * Applies one credit event exactly once; types other than {@code credit.balance_changed} and
     * {@code credit.normalized} (reporter changes) are marked processed and otherwise ignored.
     *
     * @return false if the event id was already processed (nothing changed)
     * @throws MalformedEventException if the event lacks an attribute its type promises (nothing changed)
     * @throws SQLException on a database failure (nothing changed; the event will be redelivered)
     */
    public boolean apply(ChainEvent e) throws SQLException {
        return Jdbc.inTransaction(db, c -> apply(c, e));
    }

    /** As {@link #apply(ChainEvent)}, inside the caller's transaction on {@code c} (the read-model rebuild). */
    public boolean apply(Connection c, ChainEvent e) throws SQLException {
        boolean fresh = Jdbc.markProcessed(c, e.id().toString(), e.id().height(), e.type());
        if (fresh) {
            applyEffect(c, e);
        }
        return fresh;
    }

    private static void applyEffect(Connection c, ChainEvent e) throws SQLException {
        String ev = e.id().toString();
        switch (e.type()) {
            case "credit.balance_changed" -> update(c, "insert into balance_changes (event_id, hsm_id, delta, reason, height,"
                    + " tx_index, event_index) values (?, ?, ?, ?, ?, ?, ?)", ev, hex(e, "hsm"), signed(e, "delta"),
                    attr(e, "reason"), num(e, "height"), e.id().txIndex(), e.id().eventIndex());
            case "credit.normalized" -> update(c, "insert into normalizations (event_id, height, old_total, new_total, factor,"
                    + " event_index) values (?, ?, ?, ?, ?, ?)", ev, num(e, "height"), num(e, "old_total"), num(e, "new_total"),
                    attr(e, "factor"), e.id().eventIndex());
            default -> {
                // credit.reporter_authorized / _revoked: not part of these read models.
                return;
            }
        }
        SupplyProjector.afterInsert(c, SupplyProjector.Position.of(num(e, "height"), e.id().txIndex(), e.id().eventIndex()));
    }

    /** Height of the newest credit event applied (0 before the first). */
    public long lastEventHeight() {
        return queryOne("select coalesce(max(height), 0) from processed_events", r -> r.getLong(1)).orElse(0L);
    }

    /** One page of an HSM's balance changes in chain order, and how many it has in all. */
    public Views.Page<BalanceChange> history(String hsmId, PageRequest request) {
        int page = request.page();
        int size = request.size();
        long total = queryOne("select count(*) from balance_changes where hsm_id = ?", r -> r.getLong(1), hsmId).orElse(0L);
        List<BalanceChange> items = query("select event_id, hsm_id, delta, reason, height from balance_changes where hsm_id = ?"
                + " order by height, tx_index, event_index limit ? offset ?",
                r -> new BalanceChange(r.getString(1), r.getString(2), r.getLong(3), r.getString(4), r.getLong(5)),
                hsmId, size, (long) page * size);
        return new Views.Page<>(items, page, size, total, lastEventHeight());
    }

    /** Every normalization, oldest first. */
    public List<Normalization> normalizations() {
        return query("select event_id, height, old_total, new_total, factor from normalizations order by height",
                r -> new Normalization(r.getString(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getString(5)));
    }

    /** Height of the newest event the supply and ranking fold has taken in (0 before the first). */
    public long foldedHeight() {
        return queryOne("select height from fold_cursor where id = 1", r -> r.getLong(1)).orElse(0L);
    }

    /** Heights in {@code range} where the total supply changed, oldest first, with the total at the end of each. */
    public Paged<SupplyPoint> supplyHistory(HeightRange range, PageRequest request) {
        long total = queryOne("select count(*) from supply_states where changed and height between ? and ?", r -> r.getLong(1),
                range.from(), range.to()).orElse(0L);
        List<SupplyPoint> items = query("select height, total, accounts, normalized from supply_states"
                + " where changed and height between ? and ? order by height limit ? offset ?",
                r -> new SupplyPoint(r.getLong(1), r.getLong(2), r.getLong(3), r.getBoolean(4)),
                range.from(), range.to(), request.size(), request.offset());
        return Paged.of(items, request, total);
    }

    /** HSMs holding credit by balance (highest first, ties by id), with their rank from 1. */
    public Paged<RankedHsm> ranking(PageRequest request) {
        long total = queryOne("select count(*) from accounts", r -> r.getLong(1)).orElse(0L);
        long[] rank = {request.offset()};
        List<RankedHsm> items = query("select hsm_id, balance, shares from accounts order by balance desc, hsm_id limit ? offset ?",
                r -> new RankedHsm(++rank[0], r.getString(1), r.getLong(2), r.getBigDecimal(3).toBigInteger().toString()),
                request.size(), request.offset());
        return Paged.of(items, request, total);
    }

    // --- attribute parsing and JDBC plumbing ---

    private static String attr(ChainEvent e, String name) {
        return e.attribute(name).orElseThrow(() -> new MalformedEventException(e, "missing attribute " + name));
    }

    private static String hex(ChainEvent e, String name) {
        String v = attr(e, name).toLowerCase(Locale.ROOT);
        if (!Ids.isHex64(v)) {
            throw new MalformedEventException(e, "attribute " + name + " is not 64 hex digits");
        }
        return v;
    }

    private static long num(ChainEvent e, String name) {
        try {
            return Long.parseUnsignedLong(attr(e, name));
        } catch (NumberFormatException ex) {
            throw new MalformedEventException(e, "attribute " + name + " is not a number");
        }
    }

    private static long signed(ChainEvent e, String name) {
        try {
            return Long.parseLong(attr(e, name));
        } catch (NumberFormatException ex) {
            throw new MalformedEventException(e, "attribute " + name + " is not a signed number");
        }
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        return Jdbc.update(c, sql, args);
    }

    private <T> List<T> query(String sql, Jdbc.Row<T> row, Object... args) {
        return Jdbc.query(db, sql, row, args);
    }

    private <T> Optional<T> queryOne(String sql, Jdbc.Row<T> row, Object... args) {
        return Jdbc.queryOne(db, sql, row, args);
    }

    /** A credit event that lacks what its type promises (docs/credits.md); skipped, never half-applied. */
    public static final class MalformedEventException extends RuntimeException {
        MalformedEventException(ChainEvent e, String detail) {
            super("event " + e.id() + " (" + e.type() + "): " + detail);
        }
    }
}
