package dev.teeledger.testkit.indexer;

import static dev.teeledger.testkit.indexer.IndexerHarness.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.teeledger.indexer.BlockRecord;
import dev.teeledger.indexer.ChainEvent;
import dev.teeledger.indexer.TopicSetup;
import dev.teeledger.testkit.cometbft.LocalChain;
import dev.teeledger.testkit.kafka.InJvmKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The indexer process rides out the faults the services' acceptance lists, without being
 * restarted itself: the Kafka broker going down and coming back while blocks and transactions
 * keep coming, and the node (app SIGKILLed, then CometBFT and app restarted) going away and
 * coming back. Afterwards every height is published exactly once and every transaction's event
 * is there.
 */
class IndexerFaultsIT {

    @Test
    void survivesABrokerRestartAndANodeRestartWithNoGapOrDuplicate() throws Exception {
        long t0 = System.nanoTime();
        try (LocalChain chain = LocalChain.builder().chainId("indexer-faults").appState(GOV.appState(Map.of())).build().start();
                InJvmKafkaBroker kafka = InJvmKafkaBroker.start()) {
            TopicSetup.ensure(kafka.clientProperties(), TOPICS, 2, (short) 1);
            Process indexer = startIndexer(chain, kafka, "faults");
            try {
                List<Sent> sent = new ArrayList<>();
                sent.add(commit(chain, paramChange(chain, 0, "tx.max_signers", "10")));
                awaitPublished(kafka, sent.get(0).height(), Duration.ofSeconds(30));

                // Broker down for 3 s while a transaction commits on chain.
                Thread brokerRestart = new Thread(() -> kafka.restartBroker(Duration.ofSeconds(3)));
                brokerRestart.start();
                Thread.sleep(500);
                sent.add(commit(chain, paramChange(chain, 1, "tx.max_signers", "11")));
                brokerRestart.join(60_000);
                assertThat(brokerRestart.isAlive()).isFalse();
                awaitPublished(kafka, chain.height(), Duration.ofSeconds(30));
                long afterBroker = System.nanoTime();

                // Node down: the app is killed (CometBFT exits with it), then both restart.
                chain.killAppHard();
                Thread.sleep(1_000);
                chain.start();
                sent.add(commit(chain, paramChange(chain, 2, "tx.max_signers", "12")));
                awaitPublished(kafka, chain.height(), Duration.ofSeconds(30));
                assertThat(indexer.isAlive()).as("the indexer never exited").isTrue();
                long afterNode = System.nanoTime();

                List<BlockRecord> blocks = contiguousBlocks(kafka, "indexer-faults");
                List<ChainEvent> txEvents = uniqueEvents(kafka).stream().filter(e -> !e.id().blockEvent()).toList();
                assertThat(txEvents).extracting(e -> e.id().height(), ChainEvent::txHash).containsExactly(
                        sent.stream().map(s -> org.assertj.core.groups.Tuple.tuple(s.height(), s.hash()))
                                .toArray(org.assertj.core.groups.Tuple[]::new));
                assertThat(txEvents).extracting(e -> e.attribute("new").orElseThrow()).containsExactly("10", "11", "12");
                System.out.printf("IndexerFaultsIT: broker restart phase %d ms, node restart phase %d ms, %d heights%n",
                        ms(afterBroker - t0), ms(afterNode - afterBroker), blocks.size());
            } finally {
                indexer.destroy();
                indexer.waitFor(15, TimeUnit.SECONDS);
            }
        }
    }
}
