package dev.teeledger.attestation.service;

import dev.teeledger.attestation.service.Views.LastAttestation;
import dev.teeledger.attestation.service.Views.Normalization;
import dev.teeledger.attestation.service.Views.Page;
import dev.teeledger.attestation.service.Views.Round;
import dev.teeledger.attestation.service.Views.VerifierStats;
import dev.teeledger.attestation.service.Views.Vote;
import dev.teeledger.indexer.BlockRecord;
import dev.teeledger.indexer.ChainEvent;
import dev.teeledger.service.common.Ids;
import dev.teeledger.service.common.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The PostgreSQL read models of attestation (schema: {@code db/migration}) and every SQL
 * statement the service runs. {@link #apply} is the only writer of the event tables: it
 * records the event id in {@code processed_events} and applies the effect in one transaction,
 * so a redelivered event (the indexer delivers at least once) changes nothing. Verifier
 * statistics are aggregated at read time from votes and round outcomes, so they never depend
 * on the order in which a vote and its round's close arrive.
 */
@ApplicationScoped
public class AttestationStore {
    private static final String ROUND_COLUMNS = "id, testee, kind, attempt, state, outcome, opened_height, deadline_height,"
            + " closed_height, committee_size, quorum_votes, max_votes, votes, pass_weight, fail_weight, seed";
    private static final String VOTE_COLUMNS = "round_id, verifier, verdict, reason, weight, evidence_digest, height";

    private final DataSource db;

    public AttestationStore(DataSource db) {
        this.db = db;
    }

    /**
     * Applies one attestation or credit event exactly once.
     *
     * @return false if the event id was already processed (nothing changed)
     * @throws MalformedEventException if the event lacks an attribute its type promises (nothing changed)
     * @throws SQLException on a database failure (nothing changed; the event will be redelivered)
     */
    public boolean apply(ChainEvent e) throws SQLException {
        return Jdbc.inTransaction(db, c -> {
            boolean fresh = Jdbc.markProcessed(c, e.id().toString(), e.id().height(), e.type());
            if (fresh) {
                applyEffect(c, e);
            }
            return fresh;
        });
    }

    private static void applyEffect(Connection c, ChainEvent e) throws SQLException {
        String ev = e.id().toString();
        long h = e.id().height();
        switch (e.type()) {
            case "attestation.round_opened" -> Jdbc.update(c, "insert into rounds (id, testee, kind, attempt, seed, opened_height,"
                    + " deadline_height, total_shares, state, last_event) values (?, ?, ?, ?, ?, ?, ?, ?, 'OPEN', ?)"
                    + " on conflict (id) do update set kind = excluded.kind, seed = excluded.seed,"
                    + " opened_height = excluded.opened_height, deadline_height = excluded.deadline_height,"
                    + " total_shares = excluded.total_shares",
                    num(e, "round"), hex(e, "testee"), strip(attr(e, "trigger"), "ROUND_TRIGGER_"), (int) num(e, "attempt"),
                    digest(e, "seed"), h, num(e, "deadline"), big(e, "total_shares"), ev);
            case "attestation.vote" -> {
                long round = num(e, "round");
                String verdict = strip(attr(e, "verdict"), "VERDICT_");
                BigDecimal weight = big(e, "weight");
                int inserted = Jdbc.update(c, "insert into votes (round_id, verifier, verdict, reason, weight, evidence_digest,"
                        + " height, event_id) values (?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing",
                        round, hex(e, "verifier"), verdict, strip(attr(e, "reason"), "VERDICT_REASON_"), weight,
                        digest(e, "evidence_digest"), h, ev);
                if (inserted == 1) {
                    // Live tallies of an open round, as the chain keeps them (VoteTxHandler); the close overwrites them.
                    Jdbc.update(c, "update rounds set votes = votes + 1, pass_weight = pass_weight + ?, fail_weight = fail_weight + ?,"
                            + " last_event = ? where id = ? and state = 'OPEN'",
                            verdict.equals("PASS") ? weight : BigDecimal.ZERO, verdict.equals("PASS") ? BigDecimal.ZERO : weight, ev, round);
                }
            }
            case "attestation.round_closed" -> Jdbc.update(c, "insert into rounds (id, testee, attempt, state, outcome, votes,"
                    + " pass_weight, fail_weight, closed_height, last_event) values (?, ?, ?, 'CLOSED', ?, ?, ?, ?, ?, ?)"
                    + " on conflict (id) do update set state = 'CLOSED', outcome = excluded.outcome, votes = excluded.votes,"
                    + " pass_weight = excluded.pass_weight, fail_weight = excluded.fail_weight,"
                    + " closed_height = excluded.closed_height, last_event = excluded.last_event",
                    num(e, "round"), hex(e, "testee"), (int) num(e, "attempt"), outcome(attr(e, "outcome"), e),
                    (int) num(e, "votes"), big(e, "pass_weight"), big(e, "fail_weight"), h, ev);
            case "attestation.absence_charged" -> Jdbc.update(c, "insert into absence_charges (event_id, hsm_id, height, owed,"
                    + " cast_votes, missing, amount) values (?, ?, ?, ?, ?, ?, ?)",
                    ev, hex(e, "hsm_id"), h, num(e, "owed"), num(e, "cast"), num(e, "missing"), num(e, "amount"));
            case "attestation.round_requested" -> Jdbc.update(c, "insert into round_requests (event_id, hsm_id, height, reason)"
                    + " values (?, ?, ?, ?)", ev, hex(e, "hsm_id"), h, e.attribute("reason").orElse(null));
            case "attestation.mint_skipped" -> Jdbc.update(c, "insert into mint_skips (event_id, hsm_id, height, amount, reason,"
                    + " cause) values (?, ?, ?, ?, ?, ?)", ev, hex(e, "hsm_id"), h, num(e, "amount"), attr(e, "reason"),
                    e.attribute("cause").orElse(null));
            case "credit.normalized" -> Jdbc.update(c, "insert into normalizations (event_id, height, old_total, new_total, factor)"
                    + " values (?, ?, ?, ?, ?)", ev, num(e, "height"), num(e, "old_total"), num(e, "new_total"), attr(e, "factor"));
            default -> {
                // Other credit.* events share the credit topic; other attestation.* types carry nothing kept here.
            }
        }
    }

    /**
     * Fills the committee parameters of a round from the chain's round record (they are not
     * in {@code attestation.round_opened}); only where still unknown, so a replay is harmless.
     */
    public void fillCommittee(long roundId, int committeeSize, int quorumVotes, int maxVotes) {
        try (Connection c = db.getConnection()) {
            Jdbc.update(c, "update rounds set committee_size = ?, quorum_votes = ?, max_votes = ? where id = ?"
                    + " and committee_size is null", committeeSize, quorumVotes, maxVotes, roundId);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot update round " + roundId, e);
        }
    }

    /** Records that block {@code b} was consumed; the height never goes back. */
    public void recordBlock(BlockRecord b) throws SQLException {
        try (Connection c = db.getConnection()) {
            Jdbc.update(c, "insert into indexed_blocks (chain_id, height, block_hash) values (?, ?, ?) on conflict (chain_id)"
                    + " do update set height = excluded.height, block_hash = excluded.block_hash"
                    + " where indexed_blocks.height < excluded.height", b.chainId(), b.height(), b.blockHash());
        }
    }

    /** Highest block consumed (0 before the first). */
    public long indexedHeight() {
        return Jdbc.queryOne(db, "select coalesce(max(height), 0) from indexed_blocks", r -> r.getLong(1)).orElse(0L);
    }

    // --- rounds and votes ---

    public Optional<Round> round(long id) {
        return Jdbc.queryOne(db, "select " + ROUND_COLUMNS + " from rounds where id = ?", AttestationStore::round, id);
    }

    /**
     * Rounds matching the optional filters, newest first, and how many match in all.
     *
     * @param state   OPEN or CLOSED, or null
     * @param outcome PASS, FAIL or INCONCLUSIVE, or null
     * @param testee  64 lower-case hex digits, or null
     */
    public Page<Round> rounds(String state, String outcome, String testee, int page, int size) {
        StringBuilder where = new StringBuilder(" where true");
        List<Object> args = new ArrayList<>();
        if (state != null) {
            where.append(" and state = ?");
            args.add(state);
        }
        if (outcome != null) {
            where.append(" and outcome = ?");
            args.add(outcome);
        }
        if (testee != null) {
            where.append(" and testee = ?");
            args.add(testee);
        }
        long total = Jdbc.queryOne(db, "select count(*) from rounds" + where, r -> r.getLong(1), args.toArray()).orElse(0L);
        args.add(size);
        args.add((long) page * size);
        List<Round> items = Jdbc.query(db, "select " + ROUND_COLUMNS + " from rounds" + where + " order by id desc limit ? offset ?",
                AttestationStore::round, args.toArray());
        return new Page<>(items, page, size, total, indexedHeight());
    }

    /** The votes of a round, by verifier id. */
    public List<Vote> votes(long roundId) {
        return Jdbc.query(db, "select " + VOTE_COLUMNS + " from votes where round_id = ? order by verifier",
                AttestationStore::vote, roundId);
    }

    public Optional<Vote> vote(long roundId, String verifier) {
        return Jdbc.queryOne(db, "select " + VOTE_COLUMNS + " from votes where round_id = ? and verifier = ?",
                AttestationStore::vote, roundId, verifier);
    }

    /**
     * The HSM's last passed round as the chain's {@code LastAttestation} would record it: the
     * round, its closing height and the evidence digest carrying the most PASS weight (ties go
     * to the lowest digest, as in RoundSettlement).
     */
    public Optional<LastAttestation> lastAttestation(String hsmId) {
        Optional<Round> last = Jdbc.queryOne(db, "select " + ROUND_COLUMNS + " from rounds where testee = ? and outcome = 'PASS'"
                + " order by id desc limit 1", AttestationStore::round, hsmId);
        return last.map(r -> {
            TreeMap<String, BigInteger> byDigest = new TreeMap<>();
            for (Vote v : votes(r.id())) {
                if (v.verdict().equals("PASS")) {
                    byDigest.merge(v.evidenceDigest(), new BigInteger(v.weight()), BigInteger::add);
                }
            }
            String best = "";
            BigInteger bestWeight = BigInteger.valueOf(-1);
            for (var e : byDigest.entrySet()) {
                if (e.getValue().compareTo(bestWeight) > 0) {
                    bestWeight = e.getValue();
                    best = e.getKey();
                }
            }
            return new LastAttestation(hsmId, r.id(), r.closedHeight() == null ? 0 : r.closedHeight(), best, null, null,
                    "read-model", null);
        });
    }

    // --- verifiers ---

    private static final String STATS_SQL = "with ids as (select verifier as id from votes union select hsm_id from absence_charges),"
            + " v as (select v.verifier,"
            + "  count(*) as cast_votes,"
            + "  count(*) filter (where r.outcome in ('PASS', 'FAIL') and v.verdict = r.outcome) as agreeing,"
            + "  count(*) filter (where r.outcome in ('PASS', 'FAIL') and v.verdict <> r.outcome) as dissenting,"
            + "  count(*) filter (where r.outcome = 'INCONCLUSIVE') as inconclusive,"
            + "  count(*) filter (where r.outcome is null) as pending,"
            + "  max(v.height) as last_vote"
            + "  from votes v left join rounds r on r.id = v.round_id group by v.verifier),"
            + " a as (select hsm_id, count(*) as charges, sum(missing) as missing, sum(amount) as amount"
            + "  from absence_charges group by hsm_id)"
            + " select ids.id, coalesce(v.cast_votes, 0), coalesce(v.agreeing, 0), coalesce(v.dissenting, 0),"
            + "  coalesce(v.inconclusive, 0), coalesce(v.pending, 0), v.last_vote, coalesce(a.charges, 0),"
            + "  coalesce(a.missing, 0), coalesce(a.amount, 0)"
            + " from ids left join v on v.verifier = ids.id left join a on a.hsm_id = ids.id";

    /** Every HSM that voted or was charged for absence, by id. */
    public Page<VerifierStats> verifiers(int page, int size) {
        long total = Jdbc.queryOne(db, "select count(*) from (select verifier from votes union select hsm_id from absence_charges) x",
                r -> r.getLong(1)).orElse(0L);
        List<VerifierStats> items = Jdbc.query(db, STATS_SQL + " order by ids.id limit ? offset ?", AttestationStore::stats,
                size, (long) page * size);
        return new Page<>(items, page, size, total, indexedHeight());
    }

    public Optional<VerifierStats> verifier(String id) {
        return Jdbc.queryOne(db, STATS_SQL + " where ids.id = ?", AttestationStore::stats, id);
    }

    /** Normalizations, oldest first (at most the last {@code limit}). */
    public List<Normalization> normalizations(int limit) {
        List<Normalization> newestFirst = Jdbc.query(db, "select height, old_total, new_total, factor from normalizations"
                + " order by height desc, event_id desc limit ?",
                r -> new Normalization(r.getLong(1), r.getLong(2), r.getLong(3), r.getString(4)), limit);
        List<Normalization> out = new ArrayList<>(newestFirst);
        java.util.Collections.reverse(out);
        return out;
    }

    // --- mapping ---

    private static Round round(ResultSet r) throws SQLException {
        return new Round(r.getLong(1), r.getString(2), r.getString(3), r.getInt(4), r.getString(5), r.getString(6),
                (Long) r.getObject(7), (Long) r.getObject(8), (Long) r.getObject(9), (Integer) r.getObject(10),
                (Integer) r.getObject(11), (Integer) r.getObject(12), r.getInt(13), text(r.getBigDecimal(14)),
                text(r.getBigDecimal(15)), r.getString(16), "read-model", null);
    }

    private static Vote vote(ResultSet r) throws SQLException {
        return new Vote(r.getLong(1), r.getString(2), r.getString(3), r.getString(4), text(r.getBigDecimal(5)), r.getString(6),
                r.getLong(7), "read-model", null);
    }

    private static VerifierStats stats(ResultSet r) throws SQLException {
        return new VerifierStats(r.getString(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getLong(5), r.getLong(6),
                (Long) r.getObject(7), r.getLong(8), r.getLong(9), r.getLong(10));
    }

    private static String text(BigDecimal d) {
        return d == null ? null : d.toBigIntegerExact().toString();
    }

    /** {@code ROUND_TRIGGER_JOIN} → {@code JOIN}. */
    static String strip(String enumName, String prefix) {
        return enumName.startsWith(prefix) ? enumName.substring(prefix.length()) : enumName;
    }

    private static String outcome(String v, ChainEvent e) {
        if (!v.equals("PASS") && !v.equals("FAIL") && !v.equals("INCONCLUSIVE")) {
            throw new MalformedEventException(e, "outcome is not PASS, FAIL or INCONCLUSIVE");
        }
        return v;
    }

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

    /** A digest or seed: hex of at most 64 bytes, possibly empty. */
    private static String digest(ChainEvent e, String name) {
        String v = attr(e, name).toLowerCase(Locale.ROOT);
        if (!v.matches("([0-9a-f]{2}){0,64}")) {
            throw new MalformedEventException(e, "attribute " + name + " is not hexadecimal bytes");
        }
        return v;
    }

    private static long num(ChainEvent e, String name) {
        String v = attr(e, name);
        try {
            long n = Long.parseLong(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ex) {
            // reported below
        }
        throw new MalformedEventException(e, "attribute " + name + " is not a non-negative number");
    }

    private static BigDecimal big(ChainEvent e, String name) {
        String v = attr(e, name);
        if (!v.matches("[0-9]{1,200}")) {
            throw new MalformedEventException(e, "attribute " + name + " is not a non-negative integer");
        }
        return new BigDecimal(new BigInteger(v));
    }

    /** An event that lacks what its type promises (abci-app attestation emitters); skipped, never half-applied. */
    public static final class MalformedEventException extends RuntimeException {
        MalformedEventException(ChainEvent e, String detail) {
            super("event " + e.id() + " (" + e.type() + "): " + detail);
        }
    }
}
