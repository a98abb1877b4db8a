package dev.teeledger.testkit.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.teeledger.indexer.BlockRecord;
import dev.teeledger.indexer.ChainEvent;
import dev.teeledger.indexer.Checkpoint;
import dev.teeledger.indexer.EventId;
import dev.teeledger.indexer.IndexerTopics;
import dev.teeledger.indexer.KafkaBlockSink;
import dev.teeledger.indexer.RecordCodec;
import dev.teeledger.indexer.TopicSetup;
import dev.teeledger.indexer.TxRecord;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.ManufacturerAdd;
import dev.teeledger.protocol.tx.v1.ParamChange;
import dev.teeledger.protocol.tx.v1.ParamValue;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.testkit.cometbft.LocalChain;
import dev.teeledger.testkit.fixtures.GovernanceFixture;
import dev.teeledger.testkit.fixtures.TestManufacturerCa;
import dev.teeledger.testkit.kafka.InJvmKafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** What the indexer ITs share: governance txs, the indexer process, and read_committed reads of its topics. */
final class IndexerHarness {
    static final GovernanceFixture GOV = new GovernanceFixture(3, 2);
    static final IndexerTopics TOPICS = IndexerTopics.withPrefix("teeledger.");

    private IndexerHarness() {}

    /** A committed tx: its hash (upper hex) and height. */
    record Sent(String hash, long height) {}

    static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    static byte[] paramChange(LocalChain chain, long nonce, String name, String value) {
        return TxBuilder.forChain(chain.chainId()).type(TxType.TX_TYPE_GOV_PARAM_CHANGE)
                .payload(ParamChange.newBuilder().addChanges(ParamValue.newBuilder().setName(name).setValue(value)).build())
                .nonce(nonce).signers(GOV.first(2)).build();
    }

    static Sent commit(LocalChain chain, byte[] tx) throws Exception {
        JsonNode answer = chain.rpc("/broadcast_tx_commit?tx=0x" + HexFormat.of().formatHex(tx));
        JsonNode result = answer.path("result");
        assertThat(result.path("check_tx").path("code").asInt(-1)).as(answer.toString()).isZero();
        assertThat(result.path("tx_result").path("code").asInt(-1)).as(answer.toString()).isZero();
        String hash = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(tx));
        assertThat(result.path("hash").asText()).isEqualTo(hash);
        return new Sent(hash, result.path("height").asLong());
    }

    static Process startIndexer(LocalChain chain, InJvmKafkaBroker kafka, String log) throws IOException {
        Path logFile = chain.dir().resolve("indexer-" + log + ".log");
        List<String> cmd = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"),
                "-Dteeledger.indexer.rpc-url=" + chain.rpcUrl(),
                "-Dteeledger.indexer.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "-Dteeledger.indexer.id=it",
                "-Dteeledger.indexer.create-topics=false",
                "-Dteeledger.indexer.poll-interval=PT1S",
                "dev.teeledger.indexer.IndexerMain");
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
    }

    /** Height of the last committed block record (read_committed), 0 if none. */
    static long publishedHeight(InJvmKafkaBroker kafka) throws Exception {
        List<ConsumerRecord<String, byte[]>> all = readAll(kafka, TOPICS.blocks());
        return all.isEmpty() ? 0 : RecordCodec.decodeBlock(all.get(all.size() - 1).value()).height();
    }

    static void awaitPublished(InJvmKafkaBroker kafka, long height, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (publishedHeight(kafka) < height) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("height " + height + " not published within " + timeout
                        + " (published: " + publishedHeight(kafka) + ")");
            }
            Thread.sleep(200);
        }
    }

    /** Every committed record of a topic, partition by partition, in offset order. */
    static List<ConsumerRecord<String, byte[]>> readAll(InJvmKafkaBroker kafka, String topic) {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : c.partitionsFor(topic)) {
                parts.add(new TopicPartition(topic, i.partition()));
            }
            parts.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end");
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                    out.add(r);
                }
            }
        }
        out.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
        return out;
    }

    /** All block records; asserts they are exactly 1..N, once each, in order. */
    static List<BlockRecord> contiguousBlocks(InJvmKafkaBroker kafka, String chainId) throws Exception {
        List<BlockRecord> blocks = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : readAll(kafka, TOPICS.blocks())) {
            blocks.add(RecordCodec.decodeBlock(r.value()));
        }
        for (int i = 0; i < blocks.size(); i++) {
            assertThat(blocks.get(i).height()).as("block record %d", i).isEqualTo(i + 1L);
            assertThat(blocks.get(i).chainId()).isEqualTo(chainId);
        }
        return blocks;
    }

    /** All events of all event topics, in id order; asserts no id twice and chain order per partition. */
    static List<ChainEvent> uniqueEvents(InJvmKafkaBroker kafka) throws Exception {
        List<ChainEvent> events = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (String topic : TOPICS.eventTopics()) {
            Map<Integer, EventId> lastInPartition = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : readAll(kafka, topic)) {
                ChainEvent e = RecordCodec.decodeEvent(r.value());
                assertThat(ids.add(e.id().toString())).as("duplicate %s", e.id()).isTrue();
                assertThat(r.key()).isEqualTo(e.key());
                assertThat(new String(r.headers().lastHeader(KafkaBlockSink.HEADER_ID).value(), StandardCharsets.UTF_8))
                        .isEqualTo(e.id().toString());
                EventId prev = lastInPartition.put(r.partition(), e.id());
                assertThat(prev == null || prev.compareTo(e.id()) < 0).as("order in %s-%d", topic, r.partition()).isTrue();
                events.add(e);
            }
        }
        events.sort((a, b) -> a.id().compareTo(b.id()));
        return events;
    }
}
