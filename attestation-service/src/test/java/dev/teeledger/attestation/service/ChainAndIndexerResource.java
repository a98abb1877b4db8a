package dev.teeledger.attestation.service;

import dev.teeledger.chain.rpc.CometRpcClient;
import dev.teeledger.chain.rpc.CometRpcConfig;
import dev.teeledger.indexer.ChainIndexer;
import dev.teeledger.indexer.IndexerException;
import dev.teeledger.indexer.IndexerTopics;
import dev.teeledger.indexer.KafkaBlockSink;
import dev.teeledger.indexer.RpcBlockSource;
import dev.teeledger.indexer.TopicSetup;
import dev.teeledger.testkit.cometbft.LocalChain;
import dev.teeledger.testkit.fixtures.GovernanceFixture;
import dev.teeledger.testkit.kafka.InJvmKafkaBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The upstream of the service under test: a real chain (CometBFT + app, governance 2-of-3), an
 * in-JVM Kafka broker with the indexer's topics, and the chain indexer running in-process on
 * its own thread, publishing every height to that broker — the production pipeline, minus
 * separate processes. (Copied from registry-service with attestation parameters; moving to testkit.) Tests reach the chain and broker through the static accessors.
 */
public final class ChainAndIndexerResource implements QuarkusTestResourceLifecycleManager {
    static final GovernanceFixture GOV = new GovernanceFixture(3, 2);
    /**
     * Attestation parameters for tests with real rounds (as AttestationChainIT): blocks come every
     * ~0.3 s and an honest check runs several tpm2-tools commands, so the window is long; no
     * periodic rounds; a committee large enough that every active verifier is selected.
     */
    static final Map<String, String> PARAMS = Map.of(
            "attestation.window", "40",
            "attestation.period", "100000",
            "attestation.committee_size", "16",
            "attestation.quorum_bps", "1500",
            "attestation.max_retries", "5",
            "attestation.absence_tolerance", "1000");
    static final IndexerTopics TOPICS = IndexerTopics.withPrefix(IndexerTopics.DEFAULT_PREFIX);
    private static volatile LocalChain chain;
    private static volatile InJvmKafkaBroker kafka;
    private ChainIndexer indexer;
    private Thread indexerThread;
    private KafkaBlockSink sink;

    static LocalChain chain() {
        return chain;
    }

    static InJvmKafkaBroker kafka() {
        return kafka;
    }

    @Override
    public Map<String, String> start() {
        try {
            chain = LocalChain.builder().chainId("attestation-svc-it").appState(GOV.appState(PARAMS)).build().start();
            kafka = InJvmKafkaBroker.start();
            TopicSetup.ensure(kafka.clientProperties(), TOPICS, 3, (short) 1);
            sink = new KafkaBlockSink(kafka.clientProperties(), TOPICS, "attestation-svc-it", Duration.ofSeconds(10));
            indexer = new ChainIndexer(new RpcBlockSource(new CometRpcClient(CometRpcConfig.of(URI.create(chain.rpcUrl())))),
                    sink, new ChainIndexer.Settings(1, Duration.ofMillis(200), Duration.ofMillis(100), Duration.ofSeconds(1)));
            indexerThread = new Thread(() -> {
                try {
                    indexer.run();
                } catch (IndexerException e) {
                    System.err.println("indexer stopped: " + e);
                }
            }, "test-indexer");
            indexerThread.setDaemon(true);
            indexerThread.start();
            return Map.of(
                    "teeledger.chain.rpc-url", chain.rpcUrl(),
                    "teeledger.chain.id", chain.chainId(),
                    "teeledger.chain.genesis-file", chain.cometHome().resolve("config/genesis.json").toString(),
                    "kafka.bootstrap.servers", kafka.bootstrapServers());
        } catch (Exception e) {
            stop();
            throw new IllegalStateException("cannot start chain, broker and indexer", e);
        }
    }

    @Override
    public void stop() {
        try {
            if (indexer != null) {
                indexer.stop();
                indexerThread.join(10_000);
                sink.close();
            }
            if (kafka != null) {
                kafka.close();
            }
            if (chain != null) {
                chain.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            indexer = null;
            kafka = null;
            chain = null;
        }
    }
}
