package dev.teeledger.service.common;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Rebuilds a service's read models from height 1 (docs/services.md "Rebuilding from height 1"):
 * in ONE PostgreSQL transaction it truncates the given tables, reads the given topics from
 * their beginning up to their end offsets at that moment ({@code read_committed}, no consumer
 * group: nothing is committed to Kafka) and hands every record to the service's own apply
 * code on that transaction's connection, then commits. Called at start-up by each service when
 * {@code teeledger.read-model.rebuild=true}, and by tests.
 *
 * <p>Why it is safe next to the running consumer: {@code TRUNCATE} takes an ACCESS EXCLUSIVE
 * lock on the tables until the commit, so the live consumer's next write (and any read) waits
 * for the rebuild. Every record the live consumer had applied is below the end offsets the
 * rebuild reads to, so it is applied again by the rebuild; records between the live consumer's
 * position and those end offsets reach the live consumer afterwards as duplicates, which the
 * event-id check skips; later records are new to both. Per partition the order is the topic's,
 * as for the live consumer. If anything fails, the transaction rolls back and the old tables
 * stay as they were.
 *
 * <p>A record the sink rejects with a {@link RuntimeException} (it does not decode, or lacks an
 * attribute) is rolled back to a savepoint and skipped, as the live consumer skips it.
 */
public final class ReadModelRebuild {
    private static final Logger LOG = Logger.getLogger(ReadModelRebuild.class);
    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private ReadModelRebuild() {}

    /** Applies one record of {@code topic} on the rebuild's connection (inside its transaction). */
    @FunctionalInterface
    public interface RecordSink {
        void apply(Connection c, String topic, byte[] value) throws SQLException;
    }

    /** What a rebuild did: records applied and skipped, per topic, in the order given. */
    public record Result(Map<String, Long> applied, Map<String, Long> skipped) {}

    /**
     * Runs a rebuild.
     *
     * @param db the service's datasource
     * @param kafka client properties, at least {@code bootstrap.servers}
     * @param tables the read-model tables to empty (lower-case SQL identifiers)
     * @param topics topics to read from the beginning, in this order
     * @param sink the service's apply code
     * @param timeout how long reading the topics to their end offsets may take
     * @throws SQLException the database failed; nothing changed
     * @throws IllegalStateException the topics could not be read to their end in time; nothing changed
     */
    public static Result run(DataSource db, Properties kafka, List<String> tables, List<String> topics, RecordSink sink,
            Duration timeout) throws SQLException {
        for (String t : tables) {
            if (!TABLE.matcher(t).matches()) {
                throw new IllegalArgumentException("not a table name: " + t);
            }
        }
        Map<String, Long> applied = new java.util.LinkedHashMap<>();
        Map<String, Long> skipped = new java.util.LinkedHashMap<>();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statement s = c.createStatement()) {
                    s.execute("truncate " + String.join(", ", tables));
                }
                for (String topic : topics) {
                    long[] counts = replay(c, kafka, topic, sink, timeout);
                    applied.put(topic, counts[0]);
                    skipped.put(topic, counts[1]);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        LOG.infof("read models %s rebuilt from %s: applied %s, skipped %s", tables, topics, applied, skipped);
        return new Result(applied, skipped);
    }

    private static long[] replay(Connection c, Properties kafka, String topic, RecordSink sink, Duration timeout)
            throws SQLException {
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        long applied = 0;
        long skipped = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            Objects.requireNonNull(infos, "topic " + topic);
            for (PartitionInfo i : infos) {
                parts.add(new TopicPartition(topic, i.partition()));
            }
            parts.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            // read_committed: the end offsets are the last stable offsets, so an open indexer
            // transaction is not waited for; its records reach the live consumer later.
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end offsets " + end + " within " + timeout);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue; // committed after the snapshot of end offsets: the live consumer's
                    }
                    Savepoint sp = c.setSavepoint();
                    try {
                        sink.apply(c, topic, r.value());
                        c.releaseSavepoint(sp);
                        applied++;
                    } catch (RuntimeException e) {
                        c.rollback(sp);
                        skipped++;
                        LOG.warnf("rebuild: skipping record %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
                    }
                }
            }
        }
        return new long[] {applied, skipped};
    }
}
