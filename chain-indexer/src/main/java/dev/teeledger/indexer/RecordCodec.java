package dev.teeledger.indexer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON schema of everything the indexer publishes (docs/indexer.md), in one place: the
 * indexer encodes with it and consumers (the services' {@code @Incoming} methods) decode with
 * it. Field names are snake_case like CometBFT's own JSON; every record has
 * {@code "schema": 1}. Decoders accept records with unknown extra fields (forward-compatible
 * additions keep schema 1) and reject a missing or mistyped field, or another schema version,
 * with a {@link RecordFormatException}. Thread-safe.
 */
public final class RecordCodec {
    /** Version written to, and required in, every record's {@code schema} field. */
    public static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordCodec() {}

    public static byte[] encode(ChainEvent e) {
        ObjectNode n = header(e.chainId(), e.id().height(), e.blockTime());
        n.put("id", e.id().toString());
        n.put("source", e.id().blockEvent() ? "block" : "tx");
        if (e.id().blockEvent()) {
            n.putNull("tx_index");
            n.putNull("tx_hash");
        } else {
            n.put("tx_index", e.id().txIndex());
            n.put("tx_hash", e.txHash());
        }
        n.put("event_index", e.id().eventIndex());
        n.put("type", e.type());
        n.put("key", e.key());
        ArrayNode attrs = n.putArray("attributes");
        for (ChainEvent.Attribute a : e.attributes()) {
            attrs.addObject().put("key", a.key()).put("value", a.value());
        }
        return bytes(n);
    }

    public static byte[] encode(TxRecord t) {
        ObjectNode n = header(t.chainId(), t.height(), t.blockTime());
        n.put("tx_index", t.txIndex());
        n.put("tx_hash", t.txHash());
        n.put("code", t.code());
        n.put("codespace", t.codespace());
        n.put("log", t.log());
        n.put("events", t.eventCount());
        return bytes(n);
    }

    public static byte[] encode(BlockRecord b) {
        ObjectNode n = header(b.chainId(), b.height(), b.blockTime());
        n.put("block_hash", b.blockHash());
        n.put("txs", b.txCount());
        n.put("failed_txs", b.failedTxCount());
        n.put("events", b.eventCount());
        return bytes(n);
    }

    public static byte[] encode(Checkpoint c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("schema", SCHEMA_VERSION);
        n.put("chain_id", c.chainId());
        n.put("height", c.height());
        n.put("block_hash", c.blockHash());
        return bytes(n);
    }

    public static ChainEvent decodeEvent(byte[] json) throws RecordFormatException {
        JsonNode n = parse(json);
        EventId id = EventId.parse(text(n, "id"));
        if (id.height() != int64(n, "height")) {
            throw new RecordFormatException("id " + id + " disagrees with height " + n.get("height"));
        }
        List<ChainEvent.Attribute> attrs = new ArrayList<>();
        JsonNode a = n.get("attributes");
        if (a == null || !a.isArray()) {
            throw new RecordFormatException("field 'attributes' must be an array");
        }
        for (JsonNode x : a) {
            attrs.add(new ChainEvent.Attribute(text(x, "key"), text(x, "value")));
        }
        String txHash = id.blockEvent() ? null : text(n, "tx_hash");
        try {
            return new ChainEvent(id, text(n, "chain_id"), time(n), txHash, text(n, "type"), text(n, "key"), attrs);
        } catch (IllegalArgumentException e) {
            throw new RecordFormatException("inconsistent event record: " + e.getMessage(), e);
        }
    }

    public static TxRecord decodeTx(byte[] json) throws RecordFormatException {
        JsonNode n = parse(json);
        return new TxRecord(text(n, "chain_id"), int64(n, "height"), int32(n, "tx_index"), text(n, "tx_hash"), time(n),
                int32(n, "code"), text(n, "codespace"), text(n, "log"), int32(n, "events"));
    }

    public static BlockRecord decodeBlock(byte[] json) throws RecordFormatException {
        JsonNode n = parse(json);
        return new BlockRecord(text(n, "chain_id"), int64(n, "height"), text(n, "block_hash"), time(n),
                int32(n, "txs"), int32(n, "failed_txs"), int32(n, "events"));
    }

    public static Checkpoint decodeCheckpoint(byte[] json) throws RecordFormatException {
        JsonNode n = parse(json);
        try {
            return new Checkpoint(text(n, "chain_id"), int64(n, "height"), text(n, "block_hash"));
        } catch (IllegalArgumentException e) {
            throw new RecordFormatException("bad checkpoint: " + e.getMessage(), e);
        }
    }

    private static ObjectNode header(String chainId, long height, Instant time) {
        ObjectNode n = JSON.createObjectNode();
        n.put("schema", SCHEMA_VERSION);
        n.put("chain_id", chainId);
        n.put("height", height);
        n.put("block_time", time.toString());
        return n;
    }

    private static byte[] bytes(ObjectNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory JSON tree cannot fail to serialise", e);
        }
    }

    private static JsonNode parse(byte[] json) throws RecordFormatException {
        JsonNode n;
        try {
            n = json == null ? null : JSON.readTree(json);
        } catch (IOException e) {
            throw new RecordFormatException("record is not JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new RecordFormatException("record is not a JSON object");
        }
        JsonNode v = n.get("schema");
        if (v == null || !v.isInt() || v.intValue() != SCHEMA_VERSION) {
            throw new RecordFormatException("unsupported schema " + v + ", this reader knows " + SCHEMA_VERSION);
        }
        return n;
    }

    private static String text(JsonNode n, String field) throws RecordFormatException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new RecordFormatException("field '" + field + "' must be a string");
        }
        return v.textValue();
    }

    private static long int64(JsonNode n, String field) throws RecordFormatException {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new RecordFormatException("field '" + field + "' must be an integer");
        }
        return v.longValue();
    }

    private static int int32(JsonNode n, String field) throws RecordFormatException {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new RecordFormatException("field '" + field + "' must be a 32-bit integer");
        }
        return v.intValue();
    }

    private static Instant time(JsonNode n) throws RecordFormatException {
        try {
            return Instant.parse(text(n, "block_time"));
        } catch (DateTimeParseException e) {
            throw new RecordFormatException("field 'block_time' is not an RFC 3339 instant", e);
        }
    }
}
