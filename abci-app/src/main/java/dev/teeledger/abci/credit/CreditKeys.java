package dev.teeledger.abci.credit;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Every store key the credit module owns. Only {@link CreditKeeper} reads or writes
 * them. Identifiers in keys are lower-case hex, so keys are readable and the query
 * path of a value is its key with a {@code /} in front.
 *
 * <pre>
 * credit/index                        CreditIndex          global index (mantissa, exponent)
 * credit/supply                       CreditSupply         total shares, total, account count
 * credit/last_normalization           NormalizationRecord  the latest normalization
 * credit/acct/&lt;hex hsm id&gt;            CreditAccount        one HSM's shares (absent = 0)
 * credit/reporter/&lt;hex sha256(key)&gt;   CreditReporter       an authorised activity reporter
 * credit/nonce/&lt;hex sha256(key)&gt;      AccountNonce         a reporter key's next nonce
 * credit/report/&lt;hex sha256(idem)&gt;    ReportReceipt        a counted activity report
 * </pre>
 *
 * {@code sha256(key)} is over the canonical bytes of the {@code PublicKey} message,
 * so the key type is part of the identity.
 */
public final class CreditKeys {
    public static final byte[] INDEX = bytes("credit/index");
    public static final byte[] SUPPLY = bytes("credit/supply");
    public static final byte[] LAST_NORMALIZATION = bytes("credit/last_normalization");
    public static final String ACCOUNT_PREFIX = "credit/acct/";
    public static final String REPORTER_PREFIX = "credit/reporter/";
    public static final String NONCE_PREFIX = "credit/nonce/";
    public static final String REPORT_PREFIX = "credit/report/";
    public static final String HISTORY_PREFIX = "credit/history/";

    private static final HexFormat HEX = HexFormat.of();

    private CreditKeys() {}

    public static byte[] account(byte[] hsmId) {
        return bytes(ACCOUNT_PREFIX + HEX.formatHex(hsmId));
    }

    public static byte[] history(byte[] hsmId) {
        return bytes(HISTORY_PREFIX + HEX.formatHex(hsmId));
    }

    public static byte[] reporter(byte[] keyDigest) {
        return bytes(REPORTER_PREFIX + HEX.formatHex(keyDigest));
    }

    public static byte[] nonce(byte[] keyDigest) {
        return bytes(NONCE_PREFIX + HEX.formatHex(keyDigest));
    }

    public static byte[] report(byte[] idempotencyDigest) {
        return bytes(REPORT_PREFIX + HEX.formatHex(idempotencyDigest));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
