package dev.teeledger.abci.manufacturer;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Every store key the manufacturer module owns. Only {@link ManufacturerKeeper} reads or
 * writes them.
 *
 * <pre>
 * mfr/&lt;hex id&gt;   ManufacturerRecord   id = SHA-256 of the root's DER SubjectPublicKeyInfo
 * </pre>
 */
public final class ManufacturerKeys {
    public static final String PREFIX = "mfr/";
    private static final HexFormat HEX = HexFormat.of();

    private ManufacturerKeys() {}

    public static byte[] record(byte[] id) {
        return (PREFIX + HEX.formatHex(id)).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] prefix() {
        return PREFIX.getBytes(StandardCharsets.UTF_8);
    }
}
