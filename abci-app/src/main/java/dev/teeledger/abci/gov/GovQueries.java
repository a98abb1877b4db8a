package dev.teeledger.abci.gov;

import dev.teeledger.abci.query.QueryRouter;
import dev.teeledger.protocol.gov.Param;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;

/**
 * Query paths of the governance module, each naming one stored value:
 * {@code /gov/keys} (GovernanceKeySet), {@code /gov/nonce} (AccountNonce) and
 * {@code /gov/param/<name>} (ParamRecord).
 */
public final class GovQueries {
    private GovQueries() {}

    public static void register(QueryRouter router) {
        router.fixed("/gov/keys", GovKeys.KEY_SET)
                .fixed("/gov/nonce", GovKeys.NONCE)
                .prefix("/gov/param/", (name, data) -> {
                    if (Param.byId(name) == null) {
                        throw new Rejection(ResultCode.UNKNOWN_PARAMETER, name);
                    }
                    return GovKeys.param(name);
                });
    }
}
