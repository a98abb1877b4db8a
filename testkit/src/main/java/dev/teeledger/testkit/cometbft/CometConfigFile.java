package dev.teeledger.testkit.cometbft;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sets keys in CometBFT's {@code config.toml} by section, keeping everything
 * else (comments included) as {@code cometbft init} wrote it. Keys are written as
 * {@code section.key}; the empty section is the file's top level.
 */
public final class CometConfigFile {
    private CometConfigFile() {}

    /** @param values TOML literal values, e.g. {@code "\"300ms\""} or {@code true} */
    public static void set(Path configToml, Map<String, String> values) throws IOException {
        List<String> out = new ArrayList<>();
        java.util.Set<String> done = new java.util.HashSet<>();
        String section = "";
        for (String line : Files.readAllLines(configToml)) {
            String trimmed = line.trim();
            if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
                section = trimmed.substring(1, trimmed.length() - 1);
            } else if (!trimmed.startsWith("#") && trimmed.contains("=")) {
                String key = trimmed.substring(0, trimmed.indexOf('=')).trim();
                String qualified = section.isEmpty() ? key : section + "." + key;
                if (values.containsKey(qualified)) {
                    line = key + " = " + values.get(qualified);
                    done.add(qualified);
                }
            }
            out.add(line);
        }
        for (String k : values.keySet()) {
            if (!done.contains(k)) {
                throw new IOException("config.toml has no key " + k);
            }
        }
        Files.write(configToml, out);
    }
}
