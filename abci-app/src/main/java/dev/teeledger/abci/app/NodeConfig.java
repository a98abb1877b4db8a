package dev.teeledger.abci.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How one abci-app process runs. Local, not consensus: two validators may use
 * different values. Defaults suit a single machine (loopback addresses).
 *
 * @param home directory holding the state store ({@code home/state})
 * @param abciAddress where CometBFT connects: {@code tcp://host:port} or {@code unix:///path}
 * @param metricsAddress {@code host:port} of the Prometheus endpoint, or empty for none
 * @param keepRecentVersions state versions kept for historical queries; 0 keeps all
 * @param verifierThreads threads that pre-verify a block's signatures in parallel
 */
public record NodeConfig(Path home, String abciAddress, String metricsAddress, int keepRecentVersions, int verifierThreads) {
    public static final String DEFAULT_ABCI = "tcp://127.0.0.1:26658";
    public static final String DEFAULT_METRICS = "127.0.0.1:26670";
    public static final int DEFAULT_KEEP_RECENT = 10_000;

    public NodeConfig {
        if (keepRecentVersions < 0) {
            throw new IllegalArgumentException("--keep-recent must be >= 0");
        }
        if (verifierThreads < 1) {
            throw new IllegalArgumentException("--verifier-threads must be >= 1");
        }
    }

    public static final String USAGE = """
            usage: abci-app --home DIR [--abci ADDR] [--metrics HOST:PORT|""] [--keep-recent N] [--verifier-threads N]
              --home DIR             state directory (required)
              --abci ADDR            ABCI listen address, tcp://host:port or unix:///path (default %s)
              --metrics HOST:PORT    Prometheus endpoint, empty to disable (default %s)
              --keep-recent N        state versions kept for queries, 0 = all (default %d)
              --verifier-threads N   signature pre-verification threads (default: available processors)
            """.formatted(DEFAULT_ABCI, DEFAULT_METRICS, DEFAULT_KEEP_RECENT);

    /** Parses command-line flags; throws {@link IllegalArgumentException} with a readable message. */
    public static NodeConfig parse(String[] args) {
        Path home = null;
        String abci = DEFAULT_ABCI;
        String metrics = DEFAULT_METRICS;
        int keep = DEFAULT_KEEP_RECENT;
        int threads = Runtime.getRuntime().availableProcessors();
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String flag = rest.remove(0);
            if (rest.isEmpty()) {
                throw new IllegalArgumentException("missing value for " + flag);
            }
            String value = rest.remove(0);
            switch (flag) {
                case "--home" -> home = Path.of(value);
                case "--abci" -> abci = value;
                case "--metrics" -> metrics = value;
                case "--keep-recent" -> keep = parseInt(flag, value);
                case "--verifier-threads" -> threads = parseInt(flag, value);
                default -> throw new IllegalArgumentException("unknown flag " + flag);
            }
        }
        if (home == null) {
            throw new IllegalArgumentException("--home is required");
        }
        return new NodeConfig(home, abci, metrics, keep, threads);
    }

    private static int parseInt(String flag, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs an integer, got " + value);
        }
    }
}
