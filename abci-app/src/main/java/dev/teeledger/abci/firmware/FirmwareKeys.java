package dev.teeledger.abci.firmware;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Every store key the firmware module owns. Only {@link FirmwareKeeper} reads or writes them.
 *
 * <pre>
 * fw/&lt;hex sha256&gt;   FirmwareRecord
 * </pre>
 */
public final class FirmwareKeys {
    public static final String PREFIX = "fw/";

    private FirmwareKeys() {}

    public static byte[] record(byte[] sha256) {
        return (PREFIX + HexFormat.of().formatHex(sha256)).getBytes(StandardCharsets.UTF_8);
    }
}
