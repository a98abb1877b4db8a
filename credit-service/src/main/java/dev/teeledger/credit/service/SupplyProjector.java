package dev.teeledger.credit.service;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Folds the stored credit events ({@code balance_changes}, {@code normalizations}) in chain
 * order into the supply and ranking read models: per-HSM shares and balances
 * ({@code accounts}, {@code account_log}), and the chain's supply state at the end of every
 * height with credit events ({@code supply_states}: total shares, index, total, funded
 * accounts). It replays the chain's own arithmetic ({@link ShareIndexMath}, the rules of
 * CreditKeeper in docs/credits.md), so its totals and balances equal the chain's, rounding
 * included: a mint or burn of {@code delta} sets the HSM's shares to
 * {@code ceil((b + delta) × 2^e / m)} and the total to {@code floor(S' × m / 2^e)}; a
 * normalization replaces the index (reconstructed from the event, see
 * {@link #normalizedIndex}) and rescales every stored balance in one SQL update.
 *
 * <p>Called by {@link CreditStore#apply} inside the transaction that stores an event. Kafka
 * delivers an HSM's events in order, but events of different HSMs and the normalizations sit
 * in different partitions and may arrive in any interleaving, so an event can be older than
 * the fold's cursor: the fold then rolls back to the end of the height before it (deleting
 * the later states and account log rows, restoring the affected accounts) and folds forward
 * again. The cost is the events since that height, normally a few blocks. Single writer: the
 * consumer is one ordered blocking channel.
 */
final class SupplyProjector {
    /** An upsert, so a rebuild that truncated {@code fold_cursor} starts from {@link Position#START}. */
    private static final String SET_CURSOR = "insert into fold_cursor (id, height, tx_order, event_index) values (1, ?, ?, ?)"
            + " on conflict (id) do update set height = excluded.height, tx_order = excluded.tx_order,"
            + " event_index = excluded.event_index";

    private static final Logger LOG = Logger.getLogger(SupplyProjector.class);
    /** Sort position of block events: after every transaction's events (EventId order). */
    static final int BLOCK_ORDER = Integer.MAX_VALUE;

    private SupplyProjector() {}

    /** A position in chain order: height, tx index (block events last), event index. */
    record Position(long height, int txOrder, int eventIndex) implements Comparable<Position> {
        static final Position START = new Position(0, -1, -1);

        static Position of(long height, int txIndex, int eventIndex) {
            return new Position(height, txIndex < 0 ? BLOCK_ORDER : txIndex, eventIndex);
        }

        @Override
        public int compareTo(Position o) {
            int c = Long.compare(height, o.height);
            if (c == 0) {
                c = Integer.compare(txOrder, o.txOrder);
            }
            return c != 0 ? c : Integer.compare(eventIndex, o.eventIndex);
        }
    }

    /** The chain's supply record and index after some event. */
    private record State(BigInteger totalShares, ShareIndexMath index, long total, long accounts) {
        static final State INITIAL = new State(BigInteger.ZERO, ShareIndexMath.ONE, 0, 0);
    }

    /** One stored event of the stream. */
    private record Event(Position pos, boolean normalization, String hsmId, long delta, long oldTotal, long newTotal,
            String factor) {}

    /** Brings the fold up to date after {@code inserted} was stored. */
    static void afterInsert(Connection c, Position inserted) throws SQLException {
        Position cursor = cursor(c);
        if (inserted.compareTo(cursor) <= 0) {
            rollBackTo(c, inserted.height());
            cursor = cursor(c);
        }
        State st = latestState(c);
        long currentHeight = -1;
        long totalBefore = 0;
        boolean normalizedHere = false;
        for (Event e : eventsAfter(c, cursor)) {
            if (e.pos().height() != currentHeight) {
                currentHeight = e.pos().height();
                totalBefore = Sql.one(c, "select total from supply_states where height < ? order by height desc limit 1",
                        r -> r.getLong(1), currentHeight).orElse(0L);
                normalizedHere = normalizedAt(c, currentHeight);
            }
            if (e.normalization()) {
                st = normalize(c, st, e);
                normalizedHere = true;
            } else {
                st = balanceChange(c, st, e);
            }
            Sql.update(c, "insert into supply_states (height, total_shares, mantissa, exponent, total, accounts, normalized, changed)"
                    + " values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (height) do update set total_shares = excluded.total_shares,"
                    + " mantissa = excluded.mantissa, exponent = excluded.exponent, total = excluded.total,"
                    + " accounts = excluded.accounts, normalized = excluded.normalized, changed = excluded.changed",
                    currentHeight, new BigDecimal(st.totalShares()), st.index().mantissa(), st.index().exponent(), st.total(),
                    st.accounts(), normalizedHere, st.total() != totalBefore);
            cursor = e.pos();
        }
        Sql.update(c, SET_CURSOR,
                cursor.height(), cursor.txOrder(), cursor.eventIndex());
    }

    private static State balanceChange(Connection c, State st, Event e) throws SQLException {
        ShareIndexMath idx = st.index();
        BigInteger before = Sql.one(c, "select shares from accounts where hsm_id = ?", r -> r.getBigDecimal(1).toBigInteger(),
                e.hsmId()).orElse(BigInteger.ZERO);
        long old = idx.value(before).longValueExact();
        long target = old + e.delta();
        if (target < 0) {
            // The chain never burns below zero (its delta is what actually changed): the stream disagrees with it.
            LOG.warnf("event at %s takes HSM %s below zero (%d %+d); folding as 0", e.pos(), e.hsmId(), old, e.delta());
            target = 0;
        }
        BigInteger after = target == 0 ? BigInteger.ZERO : idx.sharesFor(target);
        BigInteger totalShares = st.totalShares().subtract(before).add(after);
        BigInteger total = idx.value(totalShares);
        long accounts = st.accounts() + (before.signum() == 0 && after.signum() > 0 ? 1 : 0)
                - (before.signum() > 0 && after.signum() == 0 ? 1 : 0);
        if (after.signum() == 0) {
            Sql.update(c, "delete from accounts where hsm_id = ?", e.hsmId());
        } else {
            Sql.update(c, "insert into accounts (hsm_id, shares, balance) values (?, ?, ?) on conflict (hsm_id)"
                    + " do update set shares = excluded.shares, balance = excluded.balance", e.hsmId(), new BigDecimal(after), target);
        }
        Sql.update(c, "insert into account_log (hsm_id, height, tx_order, event_index, shares) values (?, ?, ?, ?, ?)"
                + " on conflict do nothing", e.hsmId(), e.pos().height(), e.pos().txOrder(), e.pos().eventIndex(), new BigDecimal(after));
        return new State(totalShares, idx, total.bitLength() > 63 ? Long.MAX_VALUE : total.longValue(), accounts);
    }

    private static State normalize(Connection c, State st, Event e) throws SQLException {
        if (st.total() != e.oldTotal()) {
            LOG.warnf("normalization at %s: chain total before was %d, the read model has %d", e.pos(), e.oldTotal(), st.total());
        }
        ShareIndexMath next = normalizedIndex(st.totalShares(), st.index(), e.newTotal(), e.factor());
        if (next == null) {
            LOG.errorf("normalization at %s cannot be reproduced from total shares %s; index kept", e.pos(), st.totalShares());
            return st;
        }
        rescaleAll(c, next);
        return new State(st.totalShares(), next, e.newTotal(), st.accounts());
    }

    /**
     * The index a {@code credit.normalized} event set. The event carries the new total and the
     * factor (rounded), not the cap it aimed at; the chain's total after normalizing to cap
     * {@code C} is {@code C − 1} or {@code C}, so {@code C} is {@code new_total} or
     * {@code new_total + 1}. Each candidate is recomputed with the chain's formula and kept if it
     * reproduces both the new total and the event's factor; with both left (in practice never:
     * the factors differ in their 18 decimals) the first is taken. Null if none fits.
     */
    static ShareIndexMath normalizedIndex(BigInteger totalShares, ShareIndexMath old, long newTotal, String factor) {
        ShareIndexMath fallback = null;
        for (long cap : new long[] {newTotal, newTotal + 1}) {
            if (cap <= 0 || totalShares.compareTo(BigInteger.valueOf(cap)) <= 0) {
                continue;
            }
            ShareIndexMath idx = ShareIndexMath.normalizedTo(cap, totalShares);
            if (idx.value(totalShares).longValue() != newTotal) {
                continue;
            }
            if (idx.factorFrom(old).equals(factor)) {
                return idx;
            }
            if (fallback == null) {
                fallback = idx;
            }
        }
        return fallback;
    }

    private static void rescaleAll(Connection c, ShareIndexMath idx) throws SQLException {
        // div() is PostgreSQL's exact integer quotient on numeric: floor for positive operands.
        Sql.update(c, "update accounts set balance = div(shares * ?, ?)", BigDecimal.valueOf(idx.mantissa()), idx.denominator());
    }

    /**
     * Undoes the fold back to the end of height {@code height − 1}: the states and account log
     * rows from {@code height} on are deleted, the accounts they touched get their last earlier
     * shares, and balances are recomputed under the restored index (all of them if a
     * normalization was undone).
     */
    private static void rollBackTo(Connection c, long height) throws SQLException {
        boolean indexUndone = Sql.one(c, "select count(*) from supply_states where height >= ? and normalized", r -> r.getLong(1),
                height).orElse(0L) > 0;
        Sql.update(c, "delete from supply_states where height >= ?", height);
        Set<String> touched = new LinkedHashSet<>(Sql.list(c, "delete from account_log where height >= ? returning hsm_id",
                r -> r.getString(1), height));
        State st = latestState(c);
        for (String hsm : touched) {
            BigInteger shares = Sql.one(c, "select shares from account_log where hsm_id = ?"
                    + " order by height desc, tx_order desc, event_index desc limit 1", r -> r.getBigDecimal(1).toBigInteger(), hsm)
                    .orElse(BigInteger.ZERO);
            if (shares.signum() == 0) {
                Sql.update(c, "delete from accounts where hsm_id = ?", hsm);
            } else {
                Sql.update(c, "insert into accounts (hsm_id, shares, balance) values (?, ?, ?) on conflict (hsm_id)"
                        + " do update set shares = excluded.shares, balance = excluded.balance", hsm, new BigDecimal(shares),
                        st.index().value(shares).longValue());
            }
        }
        if (indexUndone) {
            rescaleAll(c, st.index());
        }
        Sql.update(c, SET_CURSOR,
                height - 1, BLOCK_ORDER, Integer.MAX_VALUE);
    }

    private static Position cursor(Connection c) throws SQLException {
        return Sql.one(c, "select height, tx_order, event_index from fold_cursor where id = 1",
                r -> new Position(r.getLong(1), r.getInt(2), r.getInt(3))).orElse(Position.START);
    }

    private static boolean normalizedAt(Connection c, long height) throws SQLException {
        return Sql.one(c, "select normalized from supply_states where height = ?", r -> r.getBoolean(1), height).orElse(false);
    }

    private static State latestState(Connection c) throws SQLException {
        return Sql.one(c, "select total_shares, mantissa, exponent, total, accounts from supply_states order by height desc limit 1",
                r -> new State(r.getBigDecimal(1).toBigInteger(), new ShareIndexMath(r.getLong(2), r.getInt(3)), r.getLong(4),
                        r.getLong(5))).orElse(State.INITIAL);
    }

    /** The stored events after {@code cursor}, in chain order (height-indexed scan, then the exact filter). */
    private static List<Event> eventsAfter(Connection c, Position cursor) throws SQLException {
        List<Event> all = Sql.list(c, "select height, tx_order, event_index, kind, hsm_id, delta, old_total, new_total, factor from ("
                + " select height, case when tx_index < 0 then " + BLOCK_ORDER + " else tx_index end as tx_order, event_index,"
                + " 'B' as kind, hsm_id, delta, 0::bigint as old_total, 0::bigint as new_total, null::text as factor"
                + " from balance_changes where height >= ?"
                + " union all select height, " + BLOCK_ORDER + ", event_index, 'N', null, 0, old_total, new_total, factor"
                + " from normalizations where height >= ?) s order by height, tx_order, event_index",
                r -> new Event(new Position(r.getLong(1), r.getInt(2), r.getInt(3)), r.getString(4).equals("N"), r.getString(5),
                        r.getLong(6), r.getLong(7), r.getLong(8), r.getString(9)),
                cursor.height(), cursor.height());
        List<Event> after = new ArrayList<>();
        for (Event e : all) {
            if (e.pos().compareTo(cursor) > 0) {
                after.add(e);
            }
        }
        return after;
    }

    /** Statement helpers on the caller's connection (its transaction). */
    static final class Sql {
        private Sql() {}

        interface Row<T> {
            T map(ResultSet r) throws SQLException;
        }

        static int update(Connection c, String sql, Object... args) throws SQLException {
            return dev.teeledger.service.common.Jdbc.update(c, sql, args);
        }

        static <T> List<T> list(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    s.setObject(i + 1, args[i]);
                }
                List<T> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(row.map(r));
                    }
                }
                return out;
            }
        }

        static <T> java.util.Optional<T> one(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
            List<T> l = list(c, sql, row, args);
            return l.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(l.get(0));
        }
    }
}
