package dev.teeledger.abci.manufacturer;

import dev.teeledger.abci.query.QueryRouter;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import java.util.HexFormat;

/**
 * Query paths of the manufacturer module, each naming one stored (so provable) value:
 * {@code /manufacturer/<64 hex id>} answers the ManufacturerRecord.
 */
public final class ManufacturerQueries {
    private ManufacturerQueries() {}

    public static void register(QueryRouter router) {
        router.prefix("/manufacturer/", (rest, data) -> ManufacturerKeys.record(hex32(rest)));
    }

    /** 64 lower-case hex digits, the only spelling, so one value has one path. */
    public static byte[] hex32(String text) throws Rejection {
        if (text.length() != 64 || !text.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new Rejection(ResultCode.MALFORMED_QUERY, "expected 64 lower-case hex digits, got " + text);
        }
        return HexFormat.of().parseHex(text);
    }
}
