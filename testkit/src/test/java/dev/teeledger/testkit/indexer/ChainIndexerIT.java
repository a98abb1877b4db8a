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

/**
 * The indexer as a real process between a real chain (CometBFT + app) and a real Kafka broker
 * (in-JVM KRaft): governance transactions come out as exact records, every height exactly
 * once; the indexer is SIGKILLed while the chain keeps producing blocks and transactions, and
 * the restarted process backfills the gap with no duplicate visible to read_committed
 * consumers.
 */
class ChainIndexerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final GovernanceFixture GOV = new GovernanceFixture(3, 2);
    private static final IndexerTopics TOPICS = IndexerTopics.withPrefix("teeledger.");

    /** A committed tx: its hash (upper hex) and height. */
    record Sent(String hash, long height) {}

    @Test
    void publishesEveryHeightOnceAndResumesWithoutGapAfterAKill() throws Exception {
        long t0 = System.nanoTime();
        try (LocalChain chain = LocalChain.builder().chainId("indexer-it").appState(GOV.appState(Map.of())).build().start();
                InJvmKafkaBroker kafka = InJvmKafkaBroker.start()) {
            assertThat(TopicSetup.ensure(kafka.clientProperties(), TOPICS, 3, (short) 1)).hasSize(8);
            long setup = System.nanoTime();

            Process indexer = startIndexer(chain, kafka, "run1");
            List<Sent> sent = new ArrayList<>();
            sent.add(commit(chain, paramChange(chain, 0, "tx.max_signers", "10")));
            TestManufacturerCa ca = TestManufacturerCa.create("Indexer IT CA");
            sent.add(commit(chain, TxBuilder.forChain(chain.chainId()).type(TxType.TX_TYPE_MANUFACTURER_ADD)
                    .payload(ManufacturerAdd.newBuilder().setName("Indexer IT maker")
                            .setRootCertificate(ByteString.copyFrom(ca.rootCertificate())).build())
                    .nonce(1).signers(GOV.first(2)).build()));
            awaitPublished(kafka, sent.get(1).height(), Duration.ofSeconds(30));
            long firstRun = System.nanoTime();

            // Kill mid-way: blocks keep coming every ~200 ms, so a transaction is usually open.
            Thread.sleep(300);
            indexer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            long publishedAtKill = publishedHeight(kafka);
            sent.add(commit(chain, paramChange(chain, 2, "tx.max_signers", "12")));
            sent.add(commit(chain, paramChange(chain, 3, "tx.max_signers", "14")));
            chain.waitForHeight(sent.get(3).height() + 3, Duration.ofSeconds(30));
            assertThat(publishedHeight(kafka)).as("nothing published while the indexer is down").isEqualTo(publishedAtKill);

            long whileDown = System.nanoTime();
            Process restarted = startIndexer(chain, kafka, "run2");
            long tip = chain.height();
            awaitPublished(kafka, tip, Duration.ofSeconds(30));
            long caughtUp = System.nanoTime();
            restarted.destroy(); // SIGTERM: finishes the height in progress
            assertThat(restarted.waitFor(15, TimeUnit.SECONDS)).isTrue();
            long end = System.nanoTime();

            // Blocks: exactly 1..N, each once, in order (single partition).
            List<BlockRecord> blocks = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : readAll(kafka, TOPICS.blocks())) {
                blocks.add(RecordCodec.decodeBlock(r.value()));
            }
            long n = blocks.size();
            assertThat(n).isGreaterThanOrEqualTo(tip);
            for (int i = 0; i < n; i++) {
                assertThat(blocks.get(i).height()).as("block record %d", i).isEqualTo(i + 1L);
                assertThat(blocks.get(i).chainId()).isEqualTo("indexer-it");
            }
            Checkpoint last = null;
            for (ConsumerRecord<String, byte[]> r : readAll(kafka, TOPICS.checkpoints())) {
                assertThat(r.key()).isEqualTo("it");
                last = RecordCodec.decodeCheckpoint(r.value());
            }
            assertThat(last.height()).isEqualTo(n);
            assertThat(last.blockHash()).isEqualTo(blocks.get((int) n - 1).blockHash());

            // Transactions: exactly the four sent, at their heights, code 0.
            List<TxRecord> txs = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : readAll(kafka, TOPICS.txs())) {
                TxRecord t = RecordCodec.decodeTx(r.value());
                assertThat(r.key()).isEqualTo(t.txHash());
                txs.add(t);
            }
            txs.sort((a, b) -> Long.compare(a.height(), b.height()));
            assertThat(txs).extracting(TxRecord::txHash, TxRecord::height, TxRecord::code).containsExactly(
                    sent.stream().map(s -> org.assertj.core.groups.Tuple.tuple(s.hash(), s.height(), 0)).toArray(
                            org.assertj.core.groups.Tuple[]::new));

            // Events: no id twice, per-partition order = chain order, and exactly the expected tx events.
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
            List<ChainEvent> txEvents = events.stream().filter(e -> !e.id().blockEvent()).toList();
            assertThat(txEvents).extracting(e -> e.id().height(), ChainEvent::type, ChainEvent::txHash).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(sent.get(0).height(), "gov.param_changed", sent.get(0).hash()),
                    org.assertj.core.groups.Tuple.tuple(sent.get(1).height(), "manufacturer.added", sent.get(1).hash()),
                    org.assertj.core.groups.Tuple.tuple(sent.get(2).height(), "gov.param_changed", sent.get(2).hash()),
                    org.assertj.core.groups.Tuple.tuple(sent.get(3).height(), "gov.param_changed", sent.get(3).hash()));
            assertThat(txEvents.get(0).key()).isEqualTo("param:tx.max_signers");
            assertThat(txEvents.get(0).attribute("new")).contains("10");
            assertThat(txEvents.get(3).attribute("old")).contains("12");
            assertThat(txEvents.get(3).attribute("new")).contains("14");
            ChainEvent maker = txEvents.get(1);
            assertThat(maker.attribute("name")).contains("Indexer IT maker");
            assertThat(maker.key()).isEqualTo("manufacturer:" + maker.attribute("manufacturer_id").orElseThrow());
            for (BlockRecord b : blocks) {
                assertThat(events.stream().filter(e -> e.id().height() == b.height()).count())
                        .as("events of height %d", b.height()).isEqualTo(b.eventCount());
            }
            System.out.printf("ChainIndexerIT: chain+broker+topics %d ms; first run to 2 txs %d ms; down (2 txs + 3 blocks) %d ms;"
                    + " restart to tip %d (%d heights behind) %d ms; %d heights in all, killed after %d%n",
                    ms(setup - t0), ms(firstRun - setup), ms(whileDown - firstRun), tip, tip - publishedAtKill,
                    ms(caughtUp - whileDown), n, publishedAtKill);
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static byte[] paramChange(LocalChain chain, long nonce, String name, String value) {
        return TxBuilder.forChain(chain.chainId()).type(TxType.TX_TYPE_GOV_PARAM_CHANGE)
                .payload(ParamChange.newBuilder().addChanges(ParamValue.newBuilder().setName(name).setValue(value)).build())
                .nonce(nonce).signers(GOV.first(2)).build();
    }

    private static Sent commit(LocalChain chain, byte[] tx) throws Exception {
        JsonNode answer = chain.rpc("/broadcast_tx_commit?tx=0x" + HexFormat.of().formatHex(tx));
        JsonNode result = answer.path("result");
        assertThat(result.path("check_tx").path("code").asInt(-1)).as(answer.toString()).isZero();
        assertThat(result.path("tx_result").path("code").asInt(-1)).as(answer.toString()).isZero();
        String hash = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(tx));
        assertThat(result.path("hash").asText()).isEqualTo(hash);
        return new Sent(hash, result.path("height").asLong());
    }

    private static Process startIndexer(LocalChain chain, InJvmKafkaBroker kafka, String log) throws IOException {
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
    private static long publishedHeight(InJvmKafkaBroker kafka) throws Exception {
        List<ConsumerRecord<String, byte[]>> all = readAll(kafka, TOPICS.blocks());
        return all.isEmpty() ? 0 : RecordCodec.decodeBlock(all.get(all.size() - 1).value()).height();
    }

    private static void awaitPublished(InJvmKafkaBroker kafka, long height, Duration timeout) throws Exception {
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
    private static List<ConsumerRecord<String, byte[]>> readAll(InJvmKafkaBroker kafka, String topic) {
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
}
