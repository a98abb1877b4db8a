package dev.teeledger.testkit.indexer;

import static dev.teeledger.testkit.indexer.IndexerHarness.*;
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
            List<BlockRecord> blocks = contiguousBlocks(kafka, "indexer-it");
            long n = blocks.size();
            assertThat(n).isGreaterThanOrEqualTo(tip);
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
            List<ChainEvent> events = uniqueEvents(kafka);
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

}
