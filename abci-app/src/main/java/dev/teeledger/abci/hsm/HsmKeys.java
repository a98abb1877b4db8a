package dev.teeledger.abci.hsm;

import dev.teeledger.protocol.state.v1.HsmState;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Every store key the HSM registry owns. Only {@link HsmKeeper} reads or writes them. Index
 * keys hold the one byte {@code 01}, not an empty value: CometBFT's RPC shows an empty value
 * exactly like an absent one, so a membership proof would read as an absence. Their order (hex
 * ids) makes paging by "last id seen" exact.
 *
 * <pre>
 * hsm/rec/&lt;hex hsm id&gt;                              HsmRecord
 * hsm/by_manufacturer/&lt;hex mid&gt;/&lt;hex hsm id&gt;       01
 * hsm/by_state/&lt;state number&gt;/&lt;hex hsm id&gt;         01
 * </pre>
 */
public final class HsmKeys {
    public static final String RECORD_PREFIX = "hsm/rec/";
    public static final String BY_MANUFACTURER_PREFIX = "hsm/by_manufacturer/";
    public static final String BY_STATE_PREFIX = "hsm/by_state/";
    /** The value of every index key. */
    public static final byte[] INDEX_VALUE = {1};
    private static final HexFormat HEX = HexFormat.of();

    private HsmKeys() {}

    public static byte[] record(byte[] hsmId) {
        return utf8(RECORD_PREFIX + HEX.formatHex(hsmId));
    }

    public static byte[] byManufacturer(byte[] manufacturerId, byte[] hsmId) {
        return utf8(BY_MANUFACTURER_PREFIX + HEX.formatHex(manufacturerId) + "/" + HEX.formatHex(hsmId));
    }

    static String byManufacturerPrefix(byte[] manufacturerId) {
        return BY_MANUFACTURER_PREFIX + HEX.formatHex(manufacturerId) + "/";
    }

    public static byte[] byState(HsmState state, byte[] hsmId) {
        return utf8(byStatePrefix(state) + HEX.formatHex(hsmId));
    }

    static String byStatePrefix(HsmState state) {
        return BY_STATE_PREFIX + state.getNumber() + "/";
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
