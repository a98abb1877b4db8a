package dev.teeledger.testkit.cometbft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.teeledger.chain.light.HeaderVerifier;
import dev.teeledger.chain.light.SmtProofOpVerifier;
import dev.teeledger.chain.light.TrustedValidators;
import dev.teeledger.chain.light.VerifiedQueryClient;
import dev.teeledger.chain.rpc.CometRpcClient;
import dev.teeledger.chain.rpc.CometRpcConfig;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real single-validator chain for tests: a {@code cometbft} v0.38.25 process in
 * front of a real abci-app process (a separate JVM, so that it can be killed with
 * SIGKILL). Everything lives under one directory: {@code cometbft/} (CometBFT
 * home), {@code app/} (state store) and the two processes' logs. Ports are
 * chosen free on loopback.
 *
 * <p>Not thread-safe; one test drives one chain.
 */
public final class LocalChain implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final String chainId;
    private final ObjectNode appState;
    private final String timeoutCommit;
    private final boolean ownsDir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final int rpcPort = Ports.free();
    private final int p2pPort = Ports.free();
    private final int abciPort = Ports.free();
    private final int appMetricsPort = Ports.free();
    private final int cometMetricsPort = Ports.free();

    private Process app;
    private Process comet;
    private boolean initialised;

    private LocalChain(Builder b) throws IOException {
        this.ownsDir = b.dir == null;
        this.dir = b.dir != null ? b.dir : Files.createTempDirectory("teeledger-chain-");
        this.chainId = b.chainId;
        this.appState = b.appState;
        this.timeoutCommit = b.timeoutCommit;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder for a chain; the app_state is the genesis JSON the app reads in InitChain. */
    public static final class Builder {
        private Path dir;
        private String chainId = "teeledger-test";
        private ObjectNode appState = JSON.createObjectNode();
        private String timeoutCommit = "200ms";

        public Builder dir(Path dir) {
            this.dir = dir;
            return this;
        }

        public Builder chainId(String chainId) {
            this.chainId = chainId;
            return this;
        }

        public Builder appState(ObjectNode appState) {
            this.appState = appState;
            return this;
        }

        public Builder timeoutCommit(String timeoutCommit) {
            this.timeoutCommit = timeoutCommit;
            return this;
        }

        public LocalChain build() throws IOException {
            return new LocalChain(this);
        }
    }

    public String chainId() {
        return chainId;
    }

    public Path dir() {
        return dir;
    }

    public String rpcUrl() {
        return "http://127.0.0.1:" + rpcPort;
    }

    public String appMetricsUrl() {
        return "http://127.0.0.1:" + appMetricsPort + "/metrics";
    }

    public String cometMetricsUrl() {
        return "http://127.0.0.1:" + cometMetricsPort + "/metrics";
    }

    public Path cometHome() {
        return dir.resolve("cometbft");
    }

    /**
     * Starts both processes (initialising the chain on first start) and returns once the app
     * has committed a block produced by this run. CometBFT's {@code /status} reports a height
     * as soon as the block is in its block store, before the app has executed and committed
     * it; only when the next height appears is the previous one committed by the app. So
     * this waits for one height beyond the first one seen, and a transaction sent afterwards
     * is checked against committed state.
     */
    public LocalChain start() throws IOException, InterruptedException {
        if (!initialised) {
            init();
        }
        startApp();
        startComet();
        waitForHeight(1, Duration.ofSeconds(60));
        waitForHeight(height() + 1, Duration.ofSeconds(60));
        return this;
    }

    private void init() throws IOException, InterruptedException {
        Path home = cometHome();
        run(List.of(CometBftBinary.locate().toString(), "init", "--home", home.toString()), dir.resolve("init.log"));
        Path genesisFile = home.resolve("config/genesis.json");
        ObjectNode genesis = (ObjectNode) JSON.readTree(genesisFile.toFile());
        genesis.put("chain_id", chainId);
        genesis.set("app_state", appState);
        JSON.writerWithDefaultPrettyPrinter().writeValue(genesisFile.toFile(), genesis);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("proxy_app", quote("tcp://127.0.0.1:" + abciPort));
        config.put("moniker", quote("teeledger-test"));
        config.put("rpc.laddr", quote("tcp://127.0.0.1:" + rpcPort));
        config.put("p2p.laddr", quote("tcp://127.0.0.1:" + p2pPort));
        config.put("consensus.timeout_commit", quote(timeoutCommit));
        config.put("consensus.timeout_propose", quote("1s"));
        config.put("instrumentation.prometheus", "true");
        config.put("instrumentation.prometheus_listen_addr", quote("127.0.0.1:" + cometMetricsPort));
        CometConfigFile.set(home.resolve("config/config.toml"), config);
        Files.createDirectories(dir.resolve("app"));
        initialised = true;
    }

    private void startApp() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "dev.teeledger.abci.LedgerNode",
                "--home", dir.resolve("app").toString(),
                "--abci", "tcp://127.0.0.1:" + abciPort,
                "--metrics", "127.0.0.1:" + appMetricsPort));
        app = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("app.log").toFile()))
                .start();
    }

    private void startComet() throws IOException {
        comet = new ProcessBuilder(CometBftBinary.locate().toString(), "start", "--home", cometHome().toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("cometbft.log").toFile()))
                .start();
    }

    /** SIGKILL of the app while CometBFT runs; CometBFT exits when its ABCI connection drops. */
    public void killAppHard() throws InterruptedException {
        app.destroyForcibly();
        app.waitFor(10, TimeUnit.SECONDS);
        if (!comet.waitFor(15, TimeUnit.SECONDS)) {
            comet.destroy();
            if (!comet.waitFor(10, TimeUnit.SECONDS)) {
                comet.destroyForcibly().waitFor();
            }
        }
    }

    /** Orderly stop: CometBFT first (SIGTERM), then the app (SIGTERM, running its shutdown hook). */
    public void stop() throws InterruptedException {
        stopProcess(comet);
        stopProcess(app);
    }

    private static void stopProcess(Process p) throws InterruptedException {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    public boolean appAlive() {
        return app != null && app.isAlive();
    }

    public boolean cometAlive() {
        return comet != null && comet.isAlive();
    }

    /**
     * A light client for this chain that trusts the genesis validator set and verifies the
     * app's sparse-Merkle proofs.
     */
    public VerifiedQueryClient verifiedQueryClient() throws IOException {
        return verifiedQueryClient(rpcUrl());
    }

    /** The same light client, talking to the node through {@code rpcUrl} (e.g. a test proxy). */
    public VerifiedQueryClient verifiedQueryClient(String rpcUrl) throws IOException {
        TrustedValidators validators = TrustedValidators.fromGenesisJson(
                Files.readAllBytes(cometHome().resolve("config/genesis.json")));
        return new VerifiedQueryClient(new CometRpcClient(CometRpcConfig.of(URI.create(rpcUrl))),
                new HeaderVerifier(chainId), SmtProofOpVerifier.teeLedgerProofs(), validators,
                VerifiedQueryClient.Options.defaults(), Clock.systemUTC());
    }

    /** {@code /status} → {@code result.sync_info}. */
    public JsonNode syncInfo() throws IOException, InterruptedException {
        return rpc("/status").path("result").path("sync_info");
    }

    public long height() throws IOException, InterruptedException {
        return syncInfo().path("latest_block_height").asLong();
    }

    /** GET on the RPC endpoint; returns the parsed JSON body. */
    public JsonNode rpc(String pathAndQuery) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(rpcUrl() + pathAndQuery)).timeout(Duration.ofSeconds(15)).GET().build();
        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(res.body());
    }

    public void waitForHeight(long height, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (comet != null && !comet.isAlive()) {
                throw new IllegalStateException("cometbft exited (" + comet.exitValue() + "); see " + dir.resolve("cometbft.log") + "\n" + tail("cometbft.log") + "\n--- app.log\n" + tail("app.log"));
            }
            try {
                if (height() >= height) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("height " + height + " not reached in " + timeout + " (last error: " + last + ")\n"
                + tail("cometbft.log") + "\n--- app.log\n" + tail("app.log"));
    }

    /** The last lines of one of the chain's logs, for failure messages. */
    public String tail(String logName) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(logName));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no " + logName + ")";
        }
    }

    /**
     * Stops both processes and deletes the chain's directory (when the fixture created it),
     * after copying the two logs to {@code target/chain-logs/<chain id>-<n>/} (or the
     * directory in system property {@code teeledger.chainLogDir}) for post-mortems.
     */
    @Override
    public void close() throws InterruptedException {
        stop();
        keepLogs();
        if (ownsDir) {
            deleteTree(dir);
        }
    }

    private void keepLogs() {
        Path base = Path.of(System.getProperty("teeledger.chainLogDir", "target/chain-logs"));
        try {
            Files.createDirectories(base);
            Path target = Files.createTempDirectory(base, chainId + "-");
            for (String log : List.of("app.log", "cometbft.log")) {
                if (Files.exists(dir.resolve(log))) {
                    Files.copy(dir.resolve(log), target.resolve(log));
                }
            }
        } catch (IOException e) {
            System.getLogger(LocalChain.class.getName()).log(System.Logger.Level.WARNING, "could not keep chain logs", e);
        }
    }

    private static void run(List<String> cmd, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + Files.readString(log));
        }
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
