package dev.teeledger.abci.credit;

import dev.teeledger.abci.gov.GovKeys;
import dev.teeledger.abci.query.QueryRouter;
import dev.teeledger.protocol.gov.Param;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import java.util.HexFormat;

/**
 * Query paths of the credit module, each naming one stored value (and so provable):
 *
 * <pre>
 * /credit/balance/&lt;hex hsm id&gt;   CreditAccount (shares; NOT_FOUND = balance 0)
 * /credit/index                  CreditIndex
 * /credit/supply                 CreditSupply (total shares, total, accounts)
 * /credit/cap                    ParamRecord of credit.cap
 * /credit/last_normalization     NormalizationRecord
 * /credit/reporter/&lt;hex&gt;         CreditReporter (sha256 of the PublicKey bytes)
 * /credit/nonce/&lt;hex&gt;            AccountNonce of a reporter key
 * /credit/report/&lt;hex&gt;           ReportReceipt (sha256 of the idempotency key)
 * </pre>
 *
 * A balance is {@code floor(shares × mantissa / 2^exponent)} from the balance and index
 * answers at the same height ({@link ShareIndex#balance}).
 */
public final class CreditQueries {
    private static final HexFormat HEX = HexFormat.of();

    private CreditQueries() {}

    public static void register(QueryRouter router) {
        router.fixed("/credit/index", CreditKeys.INDEX)
                .fixed("/credit/supply", CreditKeys.SUPPLY)
                .fixed("/credit/cap", GovKeys.param(Param.CREDIT_CAP.id()))
                .fixed("/credit/last_normalization", CreditKeys.LAST_NORMALIZATION)
                .prefix("/credit/balance/", (rest, data) -> CreditKeys.account(hex32(rest)))
                .prefix("/credit/history/", (rest, data) -> CreditKeys.history(hex32(rest)))
                .prefix("/credit/reporter/", (rest, data) -> CreditKeys.reporter(hex32(rest)))
                .prefix("/credit/nonce/", (rest, data) -> CreditKeys.nonce(hex32(rest)))
                .prefix("/credit/report/", (rest, data) -> CreditKeys.report(hex32(rest)));
    }

    /** 64 lower-case hex digits, the only spelling, so one value has one path. */
    private static byte[] hex32(String text) throws Rejection {
        if (text.length() != 64 || !text.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new Rejection(ResultCode.MALFORMED_QUERY, "expected 64 lower-case hex digits, got " + text);
        }
        return HEX.parseHex(text);
    }
}
