package dev.teeledger.abci.gov;

import java.nio.charset.StandardCharsets;

/**
 * Every store key the governance module owns. Only {@link GovKeeper} reads or
 * writes them.
 *
 * <pre>
 * gov/keys            GovernanceKeySet   the k-of-n key set and threshold
 * gov/nonce           AccountNonce       next governance nonce
 * gov/param/&lt;name&gt;   ParamRecord        one protocol parameter
 * </pre>
 */
public final class GovKeys {
    public static final byte[] KEY_SET = bytes("gov/keys");
    public static final byte[] NONCE = bytes("gov/nonce");
    public static final String PARAM_PREFIX = "gov/param/";

    private GovKeys() {}

    public static byte[] param(String name) {
        return bytes(PARAM_PREFIX + name);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
