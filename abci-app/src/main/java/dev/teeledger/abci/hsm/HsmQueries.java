package dev.teeledger.abci.hsm;

import dev.teeledger.abci.manufacturer.ManufacturerQueries;
import dev.teeledger.abci.query.QueryRouter;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.state.v1.HsmState;

/**
 * Query paths of the HSM registry, each naming one stored (so provable) value:
 *
 * <pre>
 * /hsm/&lt;hex hsm id&gt;                                  HsmRecord
 * /hsm/by_manufacturer/&lt;hex mid&gt;/&lt;hex hsm id&gt;       value 01: membership (or absence) proof
 * /hsm/by_state/&lt;state number&gt;/&lt;hex hsm id&gt;         value 01: membership (or absence) proof
 * </pre>
 *
 * Trust is derived, not stored: read {@code /hsm/<id>} and {@code /manufacturer/<mid>} at one
 * height and apply {@link HsmTrust#trusted}. Paged listing by manufacturer or state is
 * {@link HsmKeeper#byManufacturer} / {@link HsmKeeper#byState} (ids after the last seen).
 */
public final class HsmQueries {
    private HsmQueries() {}

    public static void register(QueryRouter router) {
        router.prefix("/hsm/", (rest, data) -> {
            if (rest.startsWith("by_manufacturer/")) {
                String[] parts = rest.substring("by_manufacturer/".length()).split("/", -1);
                if (parts.length != 2) {
                    throw new Rejection(ResultCode.MALFORMED_QUERY, "expected /hsm/by_manufacturer/<mid>/<hsm id>");
                }
                return HsmKeys.byManufacturer(ManufacturerQueries.hex32(parts[0]), ManufacturerQueries.hex32(parts[1]));
            }
            if (rest.startsWith("by_state/")) {
                String[] parts = rest.substring("by_state/".length()).split("/", -1);
                HsmState state = parts.length == 2 && parts[0].matches("[1-4]") ? HsmState.forNumber(Integer.parseInt(parts[0])) : null;
                if (state == null) {
                    throw new Rejection(ResultCode.MALFORMED_QUERY, "expected /hsm/by_state/<1..4>/<hsm id>");
                }
                return HsmKeys.byState(state, ManufacturerQueries.hex32(parts[1]));
            }
            return HsmKeys.record(ManufacturerQueries.hex32(rest));
        });
    }
}
