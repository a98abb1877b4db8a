package dev.teeledger.abci.hsm;

import dev.teeledger.abci.manufacturer.ManufacturerQueries;
import dev.teeledger.abci.query.QueryRouter;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.state.v1.HsmState;

/**
 * Query paths of the HSM registry. Each names one stored value, so each answer carries a Merkle
 * proof (or an absence proof); the store key is the path without its leading '/'.
 *
 * <pre>
 * /hsm/&lt;hex hsm id&gt;                      HsmRecord
 * /hsm/measured/&lt;hex hsm id&gt;             MeasuredFirmware
 * /hsm/count/&lt;list&gt;                      HsmListCount   (absent = empty list)
 * /hsm/page/&lt;list&gt;/&lt;n&gt;                   HsmIdPage      (n = 0 .. ceil(count / page_size) - 1)
 * /hsm/member/&lt;list&gt;/&lt;hex hsm id&gt;       HsmListEntry   (membership, or absence proof)
 *
 * &lt;list&gt; = by_manufacturer/&lt;hex mid&gt; | by_state/&lt;1..4&gt; | by_firmware/&lt;hex sha256&gt;
 * </pre>
 *
 * Hex is 64 lower-case digits; n is decimal without leading zeros, below 2^31; anything else is
 * MALFORMED_QUERY, so each list page has exactly one path. To list a whole set, read the count
 * and every page at one height. Trust is derived, not stored: read {@code /hsm/<id>} and
 * {@code /manufacturer/<mid>} at one height and apply {@link HsmTrust#trusted}.
 */
public final class HsmQueries {
    private HsmQueries() {}

    public static void register(QueryRouter router) {
        router.prefix("/hsm/", (rest, data) -> {
            if (rest.startsWith("measured/")) {
                return HsmKeys.measured(ManufacturerQueries.hex32(rest.substring("measured/".length())));
            }
            if (rest.startsWith("count/")) {
                String[] parts = rest.substring("count/".length()).split("/", -1);
                if (parts.length != 2) {
                    throw malformed();
                }
                return HsmKeys.count(list(parts[0], parts[1]));
            }
            if (rest.startsWith("page/")) {
                String[] parts = rest.substring("page/".length()).split("/", -1);
                if (parts.length != 3) {
                    throw malformed();
                }
                return HsmKeys.page(list(parts[0], parts[1]), pageNumber(parts[2]));
            }
            if (rest.startsWith("member/")) {
                String[] parts = rest.substring("member/".length()).split("/", -1);
                if (parts.length != 3) {
                    throw malformed();
                }
                return HsmKeys.member(list(parts[0], parts[1]), ManufacturerQueries.hex32(parts[2]));
            }
            return HsmKeys.record(ManufacturerQueries.hex32(rest));
        });
    }

    private static String list(String kind, String arg) throws Rejection {
        return switch (kind) {
            case "by_manufacturer" -> HsmKeys.byManufacturer(ManufacturerQueries.hex32(arg));
            case "by_firmware" -> HsmKeys.byFirmware(ManufacturerQueries.hex32(arg));
            case "by_state" -> {
                if (!arg.matches("[1-4]")) {
                    throw new Rejection(ResultCode.MALFORMED_QUERY, "state must be 1..4 (PENDING, ACTIVE, SUSPENDED, REVOKED)");
                }
                yield HsmKeys.byState(HsmState.forNumber(Integer.parseInt(arg)));
            }
            default -> throw malformed();
        };
    }

    private static long pageNumber(String s) throws Rejection {
        if (!s.matches("0|[1-9][0-9]{0,9}") || Long.parseLong(s) > Integer.MAX_VALUE) {
            throw new Rejection(ResultCode.MALFORMED_QUERY, "page number must be decimal without leading zeros, below 2^31");
        }
        return Long.parseLong(s);
    }

    private static Rejection malformed() {
        return new Rejection(ResultCode.MALFORMED_QUERY,
                "expected /hsm/<id>, /hsm/measured/<id>, /hsm/count/<list>, /hsm/page/<list>/<n> or /hsm/member/<list>/<id>,"
                        + " list = by_manufacturer/<mid> | by_state/<1..4> | by_firmware/<sha256>");
    }
}
