package dev.teeledger.testkit.services;

import dev.teeledger.chain.rpc.CometRpcClient;
import dev.teeledger.chain.rpc.CometRpcConfig;
import dev.teeledger.indexer.ChainIndexer;
import dev.teeledger.indexer.IndexerException;
import dev.teeledger.indexer.IndexerMain;
import dev.teeledger.indexer.IndexerTopics;
import dev.teeledger.indexer.KafkaBlockSink;
import dev.teeledger.indexer.RpcBlockSource;
import dev.teeledger.indexer.TopicSetup;
import dev.teeledger.testkit.cometbft.LocalChain;
import dev.teeledger.testkit.fixtures.GovernanceFixture;
import dev.teeledger.testkit.kafka.InJvmKafkaBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The upstream of a service under test (registry-service, credit-service): a real chain
 * (CometBFT + app, governance 2-of-3 from {@link #GOV}), an in-JVM Kafka broker with the
 * indexer's topics ({@link #TOPICS}, pre-created with {@code partitions} partitions), and the
 * chain indexer publishing every height to that broker — the production pipeline. Returns
 * {@code teeledger.chain.rpc-url}, {@code .id}, {@code .genesis-file} and {@code
 * kafka.bootstrap.servers} to Quarkus. Tests reach the chain, broker and indexer through the
 * static accessors (one instance is active at a time; Quarkus restarts resources between test
 * classes with different resources).
 *
 * <p>Init args (all optional):
 * <ul>
 *   <li>{@code chain-id} (default {@code services-it}); also the indexer's id;</li>
 *   <li>{@code preset}: {@code registry} (default: governance only) or {@code credit} (adds
 *       {@code credit.cap} = {@link #CAP}, {@code credit.normalization_interval} = {@link
 *       #INTERVAL} and {@code attestation.ra_cost} = 0, so joined HSMs' attestation rounds,
 *       which find no verifiers, end INCONCLUSIVE without touching balances);</li>
 *   <li>{@code params}: more genesis parameters, {@code name=value,name=value};</li>
 *   <li>{@code indexer}: {@code thread} (default: {@link ChainIndexer} on a daemon thread of the
 *       test JVM) or {@code process} (a separate JVM running {@link IndexerMain}, which
 *       {@link #killIndexer()} SIGKILLs and {@link #startIndexer()} starts again, resuming from
 *       its Kafka checkpoint);</li>
 *   <li>{@code partitions} (default 3) of the event topics.</li>
 * </ul>
 *
 * <p>Compiled against {@code quarkus-test-common} in {@code provided} scope, as {@link
 * dev.teeledger.testkit.postgres.PostgresTestResource} is.
 */
public final class ChainAndIndexerResource implements QuarkusTestResourceLifecycleManager {
    /** Governance keys of the chain: 3 members, threshold 2. */
    public static final GovernanceFixture GOV = new GovernanceFixture(3, 2);
    /** The indexer's topics (default prefix {@code teeledger.}), as the services' config expects. */
    public static final IndexerTopics TOPICS = IndexerTopics.withPrefix(IndexerTopics.DEFAULT_PREFIX);
    /** {@code credit.cap} of the {@code credit} preset. */
    public static final long CAP = 1_000_000;
    /** {@code credit.normalization_interval} of the {@code credit} preset. */
    public static final int INTERVAL = 10;

    private static volatile ChainAndIndexerResource active;

    private String chainId = "services-it";
    private final Map<String, String> params = new LinkedHashMap<>();
    private boolean separateProcess;
    private int partitions = 3;

    private LocalChain chain;
    private InJvmKafkaBroker kafka;
    private ChainIndexer indexer;
    private Thread indexerThread;
    private KafkaBlockSink sink;
    private Process indexerProcess;

    /** The running chain. */
    public static LocalChain chain() {
        return current().chain;
    }

    /** The running broker. */
    public static InJvmKafkaBroker kafka() {
        return current().kafka;
    }

    /**
     * SIGKILLs the indexer process ({@code indexer=process} only) and waits until it is gone: an
     * open Kafka transaction stays open until the next instance's start aborts it.
     */
    public static void killIndexer() throws InterruptedException {
        ChainAndIndexerResource r = current();
        if (r.indexerProcess == null) {
            throw new IllegalStateException("no indexer process (init arg indexer=process) or already killed");
        }
        r.indexerProcess.destroyForcibly(); // SIGKILL on Linux
        if (!r.indexerProcess.waitFor(15, TimeUnit.SECONDS)) {
            throw new IllegalStateException("indexer process did not die");
        }
        r.indexerProcess = null;
    }

    /** Starts the indexer process again ({@code indexer=process} only); it resumes at its checkpoint + 1. */
    public static void startIndexer() throws IOException {
        ChainAndIndexerResource r = current();
        if (!r.separateProcess || r.indexerProcess != null) {
            throw new IllegalStateException("no indexer process to start (init arg indexer=process, killed first)");
        }
        r.indexerProcess = r.launchIndexerProcess();
    }

    /** Whether the indexer process is running ({@code indexer=process}). */
    public static boolean indexerAlive() {
        Process p = current().indexerProcess;
        return p != null && p.isAlive();
    }

    /** The indexer process's log file ({@code indexer=process}), for diagnostics. */
    public static Path indexerLog() {
        return current().chain.dir().resolve("indexer.log");
    }

    private static ChainAndIndexerResource current() {
        ChainAndIndexerResource r = active;
        if (r == null) {
            throw new IllegalStateException("ChainAndIndexerResource is not started");
        }
        return r;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        chainId = initArgs.getOrDefault("chain-id", chainId);
        String preset = initArgs.getOrDefault("preset", "registry");
        switch (preset) {
            case "registry" -> { }
            case "credit" -> {
                params.put("credit.cap", Long.toString(CAP));
                params.put("credit.normalization_interval", Integer.toString(INTERVAL));
                params.put("attestation.ra_cost", "0");
            }
            default -> throw new IllegalArgumentException("preset must be registry or credit: " + preset);
        }
        for (String pair : initArgs.getOrDefault("params", "").split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("params entry is not name=value: " + pair);
            }
            params.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        String mode = initArgs.getOrDefault("indexer", "thread");
        if (!mode.equals("thread") && !mode.equals("process")) {
            throw new IllegalArgumentException("indexer must be thread or process: " + mode);
        }
        separateProcess = mode.equals("process");
        partitions = Integer.parseInt(initArgs.getOrDefault("partitions", "3"));
    }

    @Override
    public Map<String, String> start() {
        try {
            chain = LocalChain.builder().chainId(chainId).appState(GOV.appState(params)).build().start();
            kafka = InJvmKafkaBroker.start();
            TopicSetup.ensure(kafka.clientProperties(), TOPICS, partitions, (short) 1);
            if (separateProcess) {
                indexerProcess = launchIndexerProcess();
            } else {
                startIndexerThread();
            }
            active = this;
            return Map.of(
                    "teeledger.chain.rpc-url", chain.rpcUrl(),
                    "teeledger.chain.id", chain.chainId(),
                    "teeledger.chain.genesis-file", chain.cometHome().resolve("config/genesis.json").toString(),
                    "kafka.bootstrap.servers", kafka.bootstrapServers());
        } catch (Exception e) {
            stop();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot start chain, broker and indexer", e);
        }
    }

    private void startIndexerThread() {
        sink = new KafkaBlockSink(kafka.clientProperties(), TOPICS, chainId, Duration.ofSeconds(10));
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
    }

    /** IndexerMain on this JVM's class path (which holds chain-indexer: testkit depends on it). */
    private Process launchIndexerProcess() throws IOException {
        List<String> cmd = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                "-Dteeledger.indexer.rpc-url=" + chain.rpcUrl(),
                "-Dteeledger.indexer.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "-Dteeledger.indexer.id=" + chainId,
                "-Dteeledger.indexer.create-topics=false",
                "-Dteeledger.indexer.poll-interval=PT0.5S",
                "-Dteeledger.indexer.max-backoff=PT1S",
                IndexerMain.class.getName());
        Path log = chain.dir().resolve("indexer.log");
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    @Override
    public void stop() {
        try {
            if (indexer != null) {
                indexer.stop();
                indexerThread.join(10_000);
                sink.close();
            }
            if (indexerProcess != null) {
                indexerProcess.destroy();
                if (!indexerProcess.waitFor(15, TimeUnit.SECONDS)) {
                    indexerProcess.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
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
            if (active == this) {
                active = null;
            }
            indexer = null;
            indexerProcess = null;
            kafka = null;
            chain = null;
        }
    }
}
