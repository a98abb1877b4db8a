package dev.teeledger.indexer;

import dev.teeledger.chain.rpc.CometRpcClient;
import dev.teeledger.chain.rpc.CometRpcConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the indexer as a process: {@code java -cp ... dev.teeledger.indexer.IndexerMain
 * [--config indexer.properties]}. Configuration comes from the file, overridden by
 * {@code -Dteeledger.indexer.*} system properties (docs/configuration.md). Creates missing
 * topics if configured, then follows the chain until SIGTERM/SIGINT, which lets the height in
 * progress finish. Exit codes: 0 after a signal, 2 on bad configuration or a non-retryable
 * failure (message on stderr).
 */
public final class IndexerMain {
    private IndexerMain() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (IndexerException e) {
            System.err.println("indexer: " + e.getMessage());
            System.exit(2);
        }
    }

    /** The metrics endpoint when teeledger.indexer.metrics-port is set, else null (nothing to close). */
    private static MetricsEndpoint metrics(Properties props, ChainIndexer indexer) throws IndexerException {
        String port = props.getProperty(IndexerConfig.PREFIX + "metrics-port", "").trim();
        if (port.isEmpty()) {
            return null;
        }
        try {
            return new MetricsEndpoint(Integer.parseInt(port), indexer::lag, indexer::nextHeight);
        } catch (NumberFormatException e) {
            throw new IndexerException(IndexerConfig.PREFIX + "metrics-port must be a port number: '" + port + "'");
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new IndexerException("cannot serve metrics on port " + port + ": " + e.getMessage(), e);
        }
    }

    static void run(String[] args) throws IndexerException {
        Properties props = new Properties();
        if (args.length == 2 && args[0].equals("--config")) {
            try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
                props.load(in);
            } catch (IOException e) {
                throw new IndexerException("cannot read config " + args[1] + ": " + e.getMessage(), e);
            }
        } else if (args.length != 0) {
            throw new IndexerException("usage: IndexerMain [--config <file.properties>]");
        }
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith(IndexerConfig.PREFIX)) {
                props.setProperty(k, System.getProperty(k));
            }
        }
        IndexerConfig config = IndexerConfig.from(props);
        if (config.createTopics()) {
            TopicSetup.ensure(config.kafkaClient(), config.topics(), config.topicPartitions(), config.topicReplication());
        }
        CometRpcClient rpc = new CometRpcClient(CometRpcConfig.of(config.rpcUrl()));
        CountDownLatch finished = new CountDownLatch(1);
        try (KafkaBlockSink sink = new KafkaBlockSink(config.kafkaClient(), config.topics(), config.indexerId(), Duration.ofSeconds(30))) {
            ChainIndexer indexer = new ChainIndexer(new RpcBlockSource(rpc), sink, config.settings());
            try (MetricsEndpoint metrics = metrics(props, indexer);
                 NewBlockSubscription ws = new NewBlockSubscription(config.websocketUrl(), indexer::onNewBlock,
                    config.settings().maxBackoff())) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    indexer.stop();
                    try {
                        finished.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "teeledger-indexer-shutdown"));
                ws.start();
                indexer.run();
            }
        } finally {
            finished.countDown();
        }
    }
}
