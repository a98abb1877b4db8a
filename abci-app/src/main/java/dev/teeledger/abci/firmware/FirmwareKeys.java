package dev.teeledger.abci.firmware;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Every store key the firmware module owns. Only {@link FirmwareKeeper} reads or writes them.
 *
 * <pre>
 * fw/&lt;hex sha256&gt;                            FirmwareRecord
 * fw/ends/&lt;20-digit height&gt;/&lt;hex sha256&gt;     01: the entry stops being approved at this height
 * </pre>
 *
 * The end keys are the allow-list's timeline: at the end of block h the HSM registry reads
 * {@code fw/ends/<h>/} to learn which entries just stopped being approved (expired at their
 * valid-until height, or retired), without scanning the allow-list.
 */
public final class FirmwareKeys {
    public static final String PREFIX = "fw/";

    private FirmwareKeys() {}

    public static final String ENDS_PREFIX = "fw/ends/";
    /** The value of every end key. */
    public static final byte[] END_VALUE = {1};

    public static byte[] record(byte[] sha256) {
        return (PREFIX + HexFormat.of().formatHex(sha256)).getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] end(long height, byte[] sha256) {
        return (endsAt(height) + HexFormat.of().formatHex(sha256)).getBytes(StandardCharsets.UTF_8);
    }

    static String endsAt(long height) {
        return ENDS_PREFIX + String.format(java.util.Locale.ROOT, "%020d", height) + "/";
    }
}
