package dev.teeledger.abci.app;

import dev.teeledger.protocol.sig.Ed25519KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Genesis pieces the in-process test harnesses share: deterministic governance keys and the
 * {@code app_state} JSON that {@code GovGenesis} reads (keys, threshold, parameter overrides).
 */
public final class TestGenesis {
    private TestGenesis() {}

    /** {@code n} Ed25519 keys from seeds 1, 2, … (first byte), the same in every test run. */
    public static List<Ed25519KeyPair> governanceKeys(int n) {
        List<Ed25519KeyPair> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] seed = new byte[32];
            seed[0] = (byte) (i + 1);
            keys.add(Ed25519KeyPair.fromSeed(seed));
        }
        return keys;
    }

    /** The app_state JSON: governance keys and threshold, and parameters in name order. */
    public static String appState(List<Ed25519KeyPair> keys, int threshold, Map<String, ?> params) {
        StringBuilder k = new StringBuilder();
        for (Ed25519KeyPair key : keys) {
            k.append(k.length() == 0 ? "" : ",").append('"')
                    .append(Base64.getEncoder().encodeToString(key.publicKey().getKey().toByteArray())).append('"');
        }
        StringBuilder p = new StringBuilder();
        new TreeMap<>(params).forEach((name, value) ->
                p.append(p.length() == 0 ? "" : ",").append('"').append(name).append("\":\"").append(value).append('"'));
        return "{\"governance\":{\"threshold\":" + threshold + ",\"keys\":[" + k + "]},\"params\":{" + p + "}}";
    }
}
