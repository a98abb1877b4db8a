package dev.teeledger.testkit.services;

import com.fasterxml.jackson.databind.JsonNode;
import dev.teeledger.chain.rpc.CometRpcClient;
import dev.teeledger.chain.rpc.CometRpcConfig;
import dev.teeledger.indexer.ChainEvent;
import dev.teeledger.indexer.EventRouting;
import dev.teeledger.indexer.RecordCodec;
import dev.teeledger.indexer.RecordFormatException;
import dev.teeledger.indexer.RpcBlockSource;
import dev.teeledger.testkit.postgres.EmbeddedPostgresServer;
import dev.teeledger.testkit.postgres.PostgresTestResource;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the services' fault tests look at, each side of the pipeline on its own: the chain's
 * events per height straight from the node ({@link RpcBlockSource} and {@link EventRouting}, the
 * indexer's own mapping, without Kafka), the indexer's topics read to their end with {@code
 * read_committed}, and the service's read-model tables over plain JDBC (the database of the
 * active {@link PostgresTestResource}). Works on the active {@link ChainAndIndexerResource}.
 * Failures are {@link AssertionError}s, so tests can retry until convergence.
 */
public final class PipelineProbe {
    private static final HexFormat HEX = HexFormat.of();
    /** Committed heights never change: cache per chain id and height. */
    private static final Map<String, List<ChainEvent>> EVENTS = new ConcurrentHashMap<>();

    private PipelineProbe() {}

    /** A condition polled until it yields a value. */
    @FunctionalInterface
    public interface Probe<T> {
        /** The value, or null to poll again. */
        T get() throws Exception;
    }

    /** Polls {@code probe} every 200 ms until it yields a value; an AssertionError after {@code timeout}. */
    public static <T> T await(String what, Duration timeout, Probe<T> probe) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    /**
     * Retries {@code check} while it throws an AssertionError, for at most {@code timeout}; then
     * rethrows the last one.
     */
    public static <T> T eventually(Duration timeout, Probe<T> check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return check.get();
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    /** Broadcasts with {@code broadcast_tx_commit}; asserts CheckTx and the block result are code 0. */
    public static JsonNode commit(byte[] tx) throws Exception {
        JsonNode answer = ChainAndIndexerResource.chain().rpc("/broadcast_tx_commit?tx=0x" + HEX.formatHex(tx));
        JsonNode result = answer.path("result");
        if (result.path("check_tx").path("code").asInt(-1) != 0 || result.path("tx_result").path("code").asInt(-1) != 0) {
            throw new AssertionError("transaction not committed: " + answer);
        }
        return result;
    }

    /** The events of {@code height} that the indexer routes to {@code topic}, from the node. */
    public static List<ChainEvent> chainEvents(long height, String topic) throws Exception {
        String chainId = ChainAndIndexerResource.chain().chainId();
        List<ChainEvent> all = EVENTS.get(chainId + "/" + height);
        if (all == null) {
            RpcBlockSource source = new RpcBlockSource(new CometRpcClient(CometRpcConfig.of(
                    URI.create(ChainAndIndexerResource.chain().rpcUrl()))));
            all = source.fetch(height).events();
            EVENTS.put(chainId + "/" + height, all);
        }
        EventRouting routing = new EventRouting(ChainAndIndexerResource.TOPICS);
        return all.stream().filter(e -> routing.topic(e.type()).equals(topic)).toList();
    }

    /** The events of heights 1..{@code height} routed to {@code topic}, in chain order. */
    public static List<ChainEvent> chainEventsUpTo(long height, String topic) throws Exception {
        List<ChainEvent> out = new ArrayList<>();
        for (long h = 1; h <= height; h++) {
            out.addAll(chainEvents(h, topic));
        }
        return out;
    }

    /** Every committed record of a topic, partition by partition, in offset order. */
    public static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Properties p = ChainAndIndexerResource.kafka().clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : c.partitionsFor(topic)) {
                parts.add(new TopicPartition(topic, i.partition()));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end");
                }
                c.poll(Duration.ofMillis(100)).forEach(out::add);
            }
        }
        out.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
        return out;
    }

    /** The events on an event topic, decoded, in partition and offset order. */
    public static List<ChainEvent> publishedEvents(String topic) throws RecordFormatException {
        List<ChainEvent> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : readAll(topic)) {
            out.add(RecordCodec.decodeEvent(r.value()));
        }
        return out;
    }

    /** Height of the last committed block record, 0 if none. */
    public static long publishedHeight() throws RecordFormatException {
        List<ConsumerRecord<String, byte[]>> all = readAll(ChainAndIndexerResource.TOPICS.blocks());
        return all.isEmpty() ? 0 : RecordCodec.decodeBlock(all.get(all.size() - 1).value()).height();
    }

    /** Rows of a query on the service's database; strings stripped (char(n) columns are padded). */
    public static List<List<Object>> rows(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(PostgresTestResource.jdbcUrl(), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.PASSWORD); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            List<List<Object>> out = new ArrayList<>();
            int n = r.getMetaData().getColumnCount();
            while (r.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    Object o = r.getObject(i);
                    row.add(o instanceof String str ? str.strip() : o);
                }
                out.add(row);
            }
            return out;
        }
    }

    /** A single number from a query, e.g. a count. */
    public static long number(String sql) throws SQLException {
        return ((Number) rows(sql).get(0).get(0)).longValue();
    }

    /**
     * Every row of each table, ordered by the first column (the read models' primary keys): what
     * "identical tables" compares. Table names come from the test, not from input.
     */
    public static Map<String, List<List<Object>>> dump(List<String> tables) throws SQLException {
        Map<String, List<List<Object>>> out = new LinkedHashMap<>();
        for (String table : tables) {
            out.put(table, rows("select * from " + table + " order by 1"));
        }
        return out;
    }
}
