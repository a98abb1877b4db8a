package dev.teeledger.abci.gov;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.teeledger.abci.state.KvStore;
import dev.teeledger.protocol.gov.Param;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.state.v1.GovernanceKeySet;
import dev.teeledger.protocol.tx.v1.KeyType;
import dev.teeledger.protocol.tx.v1.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the governance section of genesis into state: the key set, the nonce
 * and every parameter (defaults overridden by genesis), so that each value is
 * queryable with a proof from the first block. Genesis shape:
 *
 * <pre>
 * "governance": { "threshold": 2, "keys": ["&lt;base64 Ed25519 key&gt;", ...] },
 * "params": { "tx.max_bytes": "65536", ... }      (optional; strings, canonical decimals)
 * </pre>
 *
 * Any mistake is an {@link IllegalArgumentException} naming the field: a chain
 * must not start from a genesis it cannot fully interpret.
 */
public final class GovGenesis {
    private GovGenesis() {}

    public static void apply(JsonNode appState, KvStore store, long initialHeight) {
        Map<Param, Long> params = readParams(appState.path("params"));
        GovKeeper keeper = new GovKeeper(store);
        for (Param p : Param.values()) {
            keeper.setParam(p, params.getOrDefault(p, p.defaultValue()), initialHeight);
        }
        JsonNode gov = appState.path("governance");
        if (!gov.isObject()) {
            throw new IllegalArgumentException("genesis app_state.governance is missing");
        }
        requireOnly(gov, "governance", "threshold", "keys");
        if (!gov.path("threshold").canConvertToInt() || !gov.path("threshold").isIntegralNumber()) {
            throw new IllegalArgumentException("genesis governance.threshold must be an integer");
        }
        List<PublicKey> keys = new ArrayList<>();
        if (!gov.path("keys").isArray()) {
            throw new IllegalArgumentException("genesis governance.keys must be an array of base64 Ed25519 keys");
        }
        for (JsonNode k : gov.path("keys")) {
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(k.asText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("genesis governance key is not base64: " + k.asText());
            }
            keys.add(PublicKey.newBuilder().setType(KeyType.KEY_TYPE_ED25519).setKey(ByteString.copyFrom(raw)).build());
        }
        try {
            GovernanceKeySet set = GovTxHandler.validateKeySet(keys, gov.path("threshold").asInt(), keeper.param(Param.GOV_MAX_KEYS), initialHeight);
            keeper.setKeySet(set);
        } catch (Rejection r) {
            throw new IllegalArgumentException("genesis governance: " + r.getMessage());
        }
        keeper.setNonce(0);
    }

    private static Map<Param, Long> readParams(JsonNode node) {
        Map<Param, Long> out = new TreeMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("genesis app_state.params must be an object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Param p = Param.byId(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException("genesis: unknown parameter " + e.getKey());
            }
            Long v = e.getValue().isTextual() ? Param.parseCanonical(e.getValue().asText()) : null;
            if (v == null || !p.accepts(v)) {
                throw new IllegalArgumentException("genesis: parameter " + p.id() + " must be a decimal string in "
                        + p.min() + ".." + p.max() + ", got " + e.getValue());
            }
            out.put(p, v);
        }
        return out;
    }

    static void requireOnly(JsonNode node, String where, String... allowed) {
        List<String> ok = List.of(allowed);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!ok.contains(name)) {
                throw new IllegalArgumentException("genesis " + where + ": unknown field " + name);
            }
        }
    }
}
