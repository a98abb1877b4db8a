package dev.teeledger.abci.app;

import java.nio.charset.StandardCharsets;

/**
 * Store keys owned by the application core rather than a module.
 *
 * <pre>
 * app/chain   ChainInfo   chain id and initial height, fixed at genesis
 * app/block   BlockInfo   height and BFT time of the last executed block
 * </pre>
 */
public final class AppKeys {
    public static final byte[] CHAIN = "app/chain".getBytes(StandardCharsets.UTF_8);
    public static final byte[] BLOCK = "app/block".getBytes(StandardCharsets.UTF_8);

    private AppKeys() {}
}
