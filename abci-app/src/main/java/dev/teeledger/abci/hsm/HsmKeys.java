package dev.teeledger.abci.hsm;

import dev.teeledger.protocol.state.v1.HsmState;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Every store key the HSM registry owns. Only {@link HsmKeeper} (and the {@link PagedIdIndex}
 * and {@link FirmwareExpiry} it drives) reads or writes them. The query path of each key is
 * {@code "/" + key}, so a client knows the key it must ask the proof for. Every value is a
 * non-empty protobuf: CometBFT's RPC shows an empty value exactly like an absent one, so a
 * membership proof over an empty value would read as an absence.
 *
 * <pre>
 * hsm/rec/&lt;hex hsm id&gt;                          HsmRecord
 * hsm/measured/&lt;hex hsm id&gt;                     MeasuredFirmware
 * hsm/count/&lt;list&gt;                              HsmListCount
 * hsm/page/&lt;list&gt;/&lt;n&gt;                           HsmIdPage (n decimal, no leading zeros)
 * hsm/member/&lt;list&gt;/&lt;hex hsm id&gt;               HsmListEntry
 * hsm/expiry/&lt;20-digit height&gt;/&lt;hex sha256&gt;    FirmwareExpiryWork
 *
 * &lt;list&gt; = by_manufacturer/&lt;hex mid&gt; | by_state/&lt;state number&gt; | by_firmware/&lt;hex sha256&gt;
 * </pre>
 */
public final class HsmKeys {
    public static final String RECORD_PREFIX = "hsm/rec/";
    public static final String MEASURED_PREFIX = "hsm/measured/";
    public static final String COUNT_PREFIX = "hsm/count/";
    public static final String PAGE_PREFIX = "hsm/page/";
    public static final String MEMBER_PREFIX = "hsm/member/";
    public static final String EXPIRY_PREFIX = "hsm/expiry/";
    /** Ids per page of every list. Part of consensus: changing it needs a state migration. */
    public static final int PAGE_SIZE = 64;
    private static final HexFormat HEX = HexFormat.of();

    private HsmKeys() {}

    public static byte[] record(byte[] hsmId) {
        return utf8(RECORD_PREFIX + HEX.formatHex(hsmId));
    }

    public static byte[] measured(byte[] hsmId) {
        return utf8(MEASURED_PREFIX + HEX.formatHex(hsmId));
    }

    /** The list of a manufacturer's HSMs: {@code by_manufacturer/<hex mid>}. */
    public static String byManufacturer(byte[] manufacturerId) {
        return "by_manufacturer/" + HEX.formatHex(manufacturerId);
    }

    /** The list of HSMs in a state: {@code by_state/<state number>}. */
    public static String byState(HsmState state) {
        return "by_state/" + state.getNumber();
    }

    /** The list of HSMs last attested running a binary: {@code by_firmware/<hex sha256>}. */
    public static String byFirmware(byte[] sha256) {
        return "by_firmware/" + HEX.formatHex(sha256);
    }

    public static byte[] count(String list) {
        return utf8(COUNT_PREFIX + list);
    }

    public static byte[] page(String list, long n) {
        return utf8(PAGE_PREFIX + list + "/" + n);
    }

    public static byte[] member(String list, byte[] hsmId) {
        return utf8(MEMBER_PREFIX + list + "/" + HEX.formatHex(hsmId));
    }

    /** Work keys sort by end height, then hash: the order the work is done in. */
    public static byte[] expiry(long endedHeight, byte[] sha256) {
        return utf8(EXPIRY_PREFIX + String.format(java.util.Locale.ROOT, "%020d", endedHeight) + "/" + HEX.formatHex(sha256));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
