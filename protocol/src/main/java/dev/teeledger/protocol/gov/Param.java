package dev.teeledger.protocol.gov;

import java.util.Map;
import java.util.TreeMap;

/**
 * Every protocol parameter the chain knows: name, default, allowed range and
 * meaning. Parameters are consensus state: genesis may override defaults and
 * governance may change them later, always within these ranges. Values are
 * 64-bit integers; units are in the name or the description.
 *
 * <p>State modules add their parameters here, so that a client can validate a
 * parameter change before it signs one.
 */
public enum Param {
    TX_MAX_BYTES("tx.max_bytes", 65_536, 1_024, 1_048_576,
            "Largest transaction the chain accepts, in bytes."),
    TX_MAX_SIGNERS("tx.max_signers", 16, 1, 64,
            "Most signers one transaction may carry."),
    GOV_MAX_KEYS("gov.max_keys", 32, 1, 64,
            "Most keys the governance key set may hold.");

    private static final Map<String, Param> BY_NAME = new TreeMap<>();

    static {
        for (Param p : values()) {
            BY_NAME.put(p.id, p);
        }
    }

    private final String id;
    private final long defaultValue;
    private final long min;
    private final long max;
    private final String description;

    Param(String id, long defaultValue, long min, long max, String description) {
        this.id = id;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.description = description;
    }

    /** The dotted name used in genesis, transactions and query paths. */
    public String id() {
        return id;
    }

    public long defaultValue() {
        return defaultValue;
    }

    public long min() {
        return min;
    }

    public long max() {
        return max;
    }

    public String description() {
        return description;
    }

    public boolean accepts(long value) {
        return value >= min && value <= max;
    }

    /** The parameter with this name, or {@code null}. */
    public static Param byId(String id) {
        return BY_NAME.get(id);
    }

    /**
     * Parses a canonical decimal: optional leading '-', no leading zeros, no '+'.
     * Returns {@code null} for anything else, including overflow.
     */
    public static Long parseCanonical(String text) {
        if (text == null || text.isEmpty() || text.length() > 20) {
            return null;
        }
        int start = text.charAt(0) == '-' ? 1 : 0;
        if (start == text.length()) {
            return null;
        }
        for (int i = start; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return null;
            }
        }
        if (text.charAt(start) == '0' && (text.length() - start > 1 || start == 1)) {
            return null;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
