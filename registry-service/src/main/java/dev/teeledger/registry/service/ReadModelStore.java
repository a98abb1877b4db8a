package dev.teeledger.registry.service;

import dev.teeledger.indexer.BlockRecord;
import dev.teeledger.indexer.ChainEvent;
import dev.teeledger.registry.service.Views.Firmware;
import dev.teeledger.registry.service.Views.Hsm;
import dev.teeledger.registry.service.Views.Manufacturer;
import dev.teeledger.registry.service.Views.Submission;
import dev.teeledger.service.common.Ids;
import dev.teeledger.service.common.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The PostgreSQL read models (schema: {@code db/migration}, applied by Flyway at start-up) and
 * every SQL statement the service runs. {@link #apply} is the only writer of the registry
 * tables: it records the event id in {@code processed_events} and applies the event's effect in
 * one database transaction, so a redelivered event (the indexer's contract is at least once)
 * changes nothing. Plain JDBC on worker threads: the consumer and the resources are blocking.
 */
@ApplicationScoped
public class ReadModelStore {
    private static final String HSM_COLUMNS =
            "id, manufacturer_id, state, endpoint, joined_height, state_height, state_reason, firmware";
    private static final String FW_COLUMNS = "sha256, component, version, valid_from_height, valid_until_height,"
            + " approved_height, retired_height, retire_reason, expired_height";
    private static final String MFR_COLUMNS = "id, name, subject, status, added_height, revoked_height, revoke_reason";

    private final DataSource db;

    public ReadModelStore(DataSource db) {
        this.db = db;
    }

    /**
     * Applies one registry event exactly once.
     *
     * @return false if the event id was already processed (nothing changed)
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
        long h = e.id().height();
        switch (e.type()) {
            case "manufacturer.added" -> update(c, "insert into manufacturers (id, name, subject, status, added_height, last_event)"
                    + " values (?, ?, ?, 'ACTIVE', ?, ?) on conflict (id) do nothing",
                    hex(e, "manufacturer_id"), attr(e, "name"), attr(e, "subject"), h, ev);
            case "manufacturer.revoked" -> update(c, "update manufacturers set status = 'REVOKED', revoked_height = ?,"
                    + " revoke_reason = ?, last_event = ? where id = ?", h, attr(e, "reason"), ev, hex(e, "manufacturer_id"));
            case "firmware.approved" -> update(c, "insert into firmware (sha256, component, version, valid_from_height,"
                    + " valid_until_height, approved_height, last_event) values (?, ?, ?, ?, ?, ?, ?) on conflict (sha256) do nothing",
                    hex(e, "sha256"), attr(e, "component"), attr(e, "version"), num(e, "valid_from_height"),
                    num(e, "valid_until_height"), h, ev);
            case "firmware.retired" -> update(c, "update firmware set retired_height = ?, retire_reason = ?, last_event = ?"
                    + " where sha256 = ?", h, attr(e, "reason"), ev, hex(e, "sha256"));
            case "firmware.expired" -> update(c, "update firmware set expired_height = ?, last_event = ? where sha256 = ?",
                    num(e, "height"), ev, hex(e, "sha256"));
            case "hsm.joined", "hsm.rejoined" -> {
                // The same reason the chain stores in HsmRecord.state_reason (HsmTxHandler).
                String mid = hex(e, "manufacturer_id");
                String reason = e.type().equals("hsm.joined") ? "joined" : "re-joined under manufacturer " + mid;
                update(c, "insert into hsms (id, manufacturer_id, state, endpoint, joined_height,"
                        + " state_height, state_reason, last_event) values (?, ?, ?, ?, ?, ?, ?, ?)"
                        + " on conflict (id) do update set manufacturer_id = excluded.manufacturer_id, state = excluded.state,"
                        + " endpoint = excluded.endpoint, joined_height = excluded.joined_height,"
                        + " state_height = excluded.state_height, state_reason = excluded.state_reason, firmware = null,"
                        + " last_event = excluded.last_event",
                        hex(e, "hsm_id"), mid, state(attr(e, "state")), attr(e, "endpoint"), h, h, reason, ev);
            }
            case "hsm.state_changed" -> update(c, "update hsms set state = ?, state_height = ?, state_reason = ?, last_event = ?"
                    + " where id = ?", state(attr(e, "to")), h, e.attribute("reason").orElse(null), ev, hex(e, "hsm_id"));
            case "hsm.firmware_recorded" -> update(c, "update hsms set firmware = ?, last_event = ? where id = ?",
                    attr(e, "sha256s").toLowerCase(Locale.ROOT), ev, hex(e, "hsm_id"));
            default -> {
                // hsm.revoked (its state move comes as hsm.state_changed), expiry bookkeeping: nothing to keep.
            }
        }
    }

    /** Records that block {@code b} was consumed; the height never goes back. */
    public void recordBlock(BlockRecord b) throws SQLException {
        try (Connection c = db.getConnection()) {
            recordBlock(c, b);
        }
    }

    /** As {@link #recordBlock(BlockRecord)}, on the caller's connection. */
    public void recordBlock(Connection c, BlockRecord b) throws SQLException {
        update(c, "insert into indexed_blocks (chain_id, height, block_hash) values (?, ?, ?) on conflict (chain_id)"
                + " do update set height = excluded.height, block_hash = excluded.block_hash"
                + " where indexed_blocks.height < excluded.height", b.chainId(), b.height(), b.blockHash());
    }

    /** Highest block consumed (0 before the first). */
    public long indexedHeight() {
        return queryOne("select coalesce(max(height), 0) from indexed_blocks", r -> r.getLong(1)).orElse(0L);
    }

    public List<Manufacturer> manufacturers() {
        return query("select " + MFR_COLUMNS + " from manufacturers order by id", ReadModelStore::manufacturer);
    }

    public Optional<Manufacturer> manufacturer(String id) {
        return queryOne("select " + MFR_COLUMNS + " from manufacturers where id = ?", ReadModelStore::manufacturer, id);
    }

    public List<Firmware> firmware() {
        return query("select " + FW_COLUMNS + " from firmware order by sha256", ReadModelStore::firmware);
    }

    public Optional<Firmware> firmware(String sha256) {
        return queryOne("select " + FW_COLUMNS + " from firmware where sha256 = ?", ReadModelStore::firmware, sha256);
    }

    public Optional<Hsm> hsm(String id) {
        return queryOne("select " + HSM_COLUMNS + " from hsms where id = ?", ReadModelStore::hsm, id);
    }

    /** HSMs matching the optional filters, ordered by id, and how many match in all. */
    public Views.Page<Hsm> hsms(String state, String manufacturerId, int page, int size) {
        StringBuilder where = new StringBuilder(" where true");
        List<Object> args = new ArrayList<>();
        if (state != null) {
            where.append(" and state = ?");
            args.add(state);
        }
        if (manufacturerId != null) {
            where.append(" and manufacturer_id = ?");
            args.add(manufacturerId);
        }
        long total = queryOne("select count(*) from hsms" + where, r -> r.getLong(1), args.toArray()).orElse(0L);
        List<Object> paged = new ArrayList<>(args);
        paged.add(size);
        paged.add((long) page * size);
        List<Hsm> items = query("select " + HSM_COLUMNS + " from hsms" + where + " order by id limit ? offset ?",
                ReadModelStore::hsm, paged.toArray());
        return new Views.Page<>(items, page, size, total, indexedHeight());
    }

    // --- submissions ---

    public Optional<Submission> submission(String hash) {
        return queryOne("select hash, type, status, code, codespace, log, height from submissions where hash = ?",
                r -> new Submission(r.getString(1), r.getString(2), r.getString(3), (Integer) r.getObject(4),
                        r.getString(5), r.getString(6), (Long) r.getObject(7)), hash);
    }

    /** Stores a submission; an existing row for the hash is replaced (a re-submission after a rejection). */
    public void saveSubmission(Submission s) {
        try (Connection c = db.getConnection()) {
            update(c, "insert into submissions (hash, type, status, code, codespace, log, height) values (?, ?, ?, ?, ?, ?, ?)"
                    + " on conflict (hash) do update set type = excluded.type, status = excluded.status, code = excluded.code,"
                    + " codespace = excluded.codespace, log = excluded.log, height = excluded.height",
                    s.hash(), s.type(), s.status(), s.code(), s.codespace(), s.log(), s.height());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store submission " + s.hash(), e);
        }
    }

    // --- mapping and JDBC plumbing ---

    private static Manufacturer manufacturer(ResultSet r) throws SQLException {
        return new Manufacturer(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getLong(5),
                (Long) r.getObject(6), r.getString(7), "read-model", null);
    }

    private static Firmware firmware(ResultSet r) throws SQLException {
        return new Firmware(r.getString(1), r.getString(2), r.getString(3), r.getLong(4), r.getLong(5), r.getLong(6),
                (Long) r.getObject(7), r.getString(8), (Long) r.getObject(9), "read-model", null);
    }

    private static Hsm hsm(ResultSet r) throws SQLException {
        String fw = r.getString(8);
        List<String> firmware = fw == null || fw.isEmpty() ? List.of() : Arrays.asList(fw.split(","));
        return new Hsm(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getLong(5), r.getLong(6),
                r.getString(7), firmware, "read-model", null);
    }

    /** {@code HSM_STATE_ACTIVE} → {@code ACTIVE}. */
    static String state(String enumName) {
        return enumName.startsWith("HSM_STATE_") ? enumName.substring("HSM_STATE_".length()) : enumName;
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

    private static long num(ChainEvent e, String name) {
        try {
            return Long.parseUnsignedLong(attr(e, name));
        } catch (NumberFormatException ex) {
            throw new MalformedEventException(e, "attribute " + name + " is not a number");
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

    /** A registry event that lacks what its type promises (docs/registry.md "Events"); skipped, never half-applied. */
    public static final class MalformedEventException extends RuntimeException {
        MalformedEventException(ChainEvent e, String detail) {
            super("event " + e.id() + " (" + e.type() + "): " + detail);
        }
    }
}
