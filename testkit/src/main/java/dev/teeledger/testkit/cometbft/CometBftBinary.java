package dev.teeledger.testkit.cometbft;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the {@code cometbft} v0.38.25 binary that {@code scripts/install-deps.sh}
 * installs. Order: {@code $COMETBFT_BIN}, {@code $TEELEDGER_BIN/cometbft},
 * {@code ~/.cache/teeledger/bin/cometbft}, {@code ~/go/bin/cometbft}, then PATH.
 */
public final class CometBftBinary {
    public static final String VERSION = "0.38.25";

    private CometBftBinary() {}

    public static Path locate() {
        String explicit = System.getenv("COMETBFT_BIN");
        if (explicit != null && !explicit.isBlank()) {
            return requireExecutable(Path.of(explicit));
        }
        String home = System.getProperty("user.home");
        String tlBin = System.getenv("TEELEDGER_BIN");
        Path[] candidates = {
            tlBin == null ? null : Path.of(tlBin, "cometbft"),
            Path.of(home, ".cache", "teeledger", "bin", "cometbft"),
            Path.of(home, "go", "bin", "cometbft"),
        };
        for (Path p : candidates) {
            if (p != null && Files.isExecutable(p)) {
                return p;
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, "cometbft");
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException("cometbft " + VERSION + " not found: run scripts/install-deps.sh");
    }

    private static Path requireExecutable(Path p) {
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException("COMETBFT_BIN=" + p + " is not executable");
        }
        return p;
    }
}
