package dev.teeledger.abci.firmware;

import dev.teeledger.abci.manufacturer.ManufacturerQueries;
import dev.teeledger.abci.query.QueryRouter;

/**
 * Query paths of the firmware module: {@code /firmware/<64 hex sha256>} answers the
 * FirmwareRecord with its proof. Whether it is approved at height h follows from the latest
 * record alone ({@link FirmwareKeeper#approvedAt}): a hash is listed once, never before its
 * valid_from height, and later only gains a retired height.
 */
public final class FirmwareQueries {
    private FirmwareQueries() {}

    public static void register(QueryRouter router) {
        router.prefix("/firmware/", (rest, data) -> FirmwareKeys.record(ManufacturerQueries.hex32(rest)));
    }
}
