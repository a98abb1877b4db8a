package dev.teeledger.cli.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.teeledger.cli.CliException;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds a chain's genesis.json inside a Kubernetes namespace and stores it in a ConfigMap,
 * for the chart's genesis Job ({@code teeledger k8s genesis}) and operators.
 *
 * <p>Contract (docs/operations/kubernetes.md, "Genesis bootstrap"): each validator's public
 * consensus key is in a ConfigMap labelled {@code app.kubernetes.io/instance=<release>} and
 * {@code teeledger.dev/validator-pubkey=true}, with data {@code ordinal} (StatefulSet ordinal),
 * {@code pub_key} (base64 Ed25519, the {@code pub_key.value} of priv_validator_key.json) and
 * optionally {@code power} (default 10). {@link #publishKey} writes one. Private keys never
 * pass through here. The genesis ConfigMap holds {@code genesis.json}.
 *
 * <p>Guarantees: nothing is written unless every ordinal 0..n-1 has exactly one valid key;
 * a re-run that would produce the same document (ignoring genesis_time) changes nothing; an
 * existing different genesis is refused unless {@code force}, since validators that already
 * started from it would fork from the new one.
 */
public final class GenesisBootstrap {
    /** Label marking a validator public-key ConfigMap. */
    public static final String PUBKEY_LABEL = "teeledger.dev/validator-pubkey";
    public static final String INSTANCE_LABEL = "app.kubernetes.io/instance";
    public static final String GENESIS_KEY = "genesis.json";
    public static final String SHA256_ANNOTATION = "teeledger.dev/genesis-sha256";
    static final long DEFAULT_POWER = 10;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What a run did to the genesis ConfigMap. */
    public enum Result { CREATED, UNCHANGED, REPLACED }

    /** The outcome of {@link #run}: what happened and the document now stored. */
    public record Outcome(Result result, String genesisJson) {}

    private final KubernetesClient client;
    private final String namespace;

    public GenesisBootstrap(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /** Gathers the keys of {@code release}, builds genesis and creates or checks ConfigMap {@code configMap}. */
    public Outcome run(String release, String configMap, GenesisSpec spec, boolean force) {
        List<ValidatorKey> keys = validatorKeys(release, spec.validators());
        String json = genesisJson(spec, keys);
        ConfigMap existing = get(configMap);
        if (existing != null) {
            String old = existing.getData() == null ? null : existing.getData().get(GENESIS_KEY);
            if (old != null && sameChain(old, json)) {
                return new Outcome(Result.UNCHANGED, old);
            }
            if (!force) {
                throw new CliException(CliException.REJECTED, "ConfigMap " + namespace + "/" + configMap
                        + " already holds a different genesis; validators started from it would fork (use --force to replace it)");
            }
            ConfigMap replaced = new ConfigMapBuilder(existing)
                    .editMetadata().addToAnnotations(SHA256_ANNOTATION, sha256(json)).endMetadata()
                    .withData(Map.of(GENESIS_KEY, json)).build();
            call(() -> client.configMaps().inNamespace(namespace).resource(replaced).update(), "replace " + configMap);
            return new Outcome(Result.REPLACED, json);
        }
        ConfigMap created = new ConfigMapBuilder()
                .withNewMetadata().withName(configMap).withNamespace(namespace)
                .addToLabels(INSTANCE_LABEL, release)
                .addToLabels("app.kubernetes.io/component", "genesis")
                .addToAnnotations(SHA256_ANNOTATION, sha256(json))
                .endMetadata()
                .withData(Map.of(GENESIS_KEY, json)).build();
        call(() -> client.configMaps().inNamespace(namespace).resource(created).create(), "create " + configMap);
        return new Outcome(Result.CREATED, json);
    }

    /**
     * Writes (or, when equal, keeps) the public-key ConfigMap {@code <release>-validator-<ordinal>-pubkey}.
     * A different key already published for the ordinal is refused unless {@code force}.
     */
    public Result publishKey(String release, ValidatorKey key, boolean force) {
        String name = release + "-validator-" + key.ordinal() + "-pubkey";
        Map<String, String> data = new TreeMap<>(Map.of("ordinal", Integer.toString(key.ordinal()),
                "pub_key", key.pubKeyBase64(), "power", Long.toString(key.power())));
        ConfigMap existing = get(name);
        if (existing != null && data.equals(existing.getData())) {
            return Result.UNCHANGED;
        }
        if (existing != null && !force) {
            throw new CliException(CliException.REJECTED, "ConfigMap " + namespace + "/" + name
                    + " already holds another key for validator " + key.ordinal() + " (use --force to replace it)");
        }
        ConfigMap cm = new ConfigMapBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(INSTANCE_LABEL, release).addToLabels(PUBKEY_LABEL, "true")
                .endMetadata().withData(data).build();
        if (existing == null) {
            call(() -> client.configMaps().inNamespace(namespace).resource(cm).create(), "create " + name);
            return Result.CREATED;
        }
        cm.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
        call(() -> client.configMaps().inNamespace(namespace).resource(cm).update(), "replace " + name);
        return Result.REPLACED;
    }

    /** The validators' keys in ordinal order; every problem is reported before anything is written. */
    List<ValidatorKey> validatorKeys(String release, int expected) {
        List<ConfigMap> maps = call(() -> client.configMaps().inNamespace(namespace)
                .withLabel(INSTANCE_LABEL, release).withLabel(PUBKEY_LABEL, "true").list().getItems(), "list validator keys");
        TreeMap<Integer, ValidatorKey> byOrdinal = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (ConfigMap cm : maps) {
            String where = "ConfigMap " + cm.getMetadata().getName();
            Map<String, String> d = cm.getData() == null ? Map.of() : cm.getData();
            try {
                int ordinal = parseInt(d.get("ordinal"), where + ": ordinal");
                long power = d.containsKey("power") ? parseInt(d.get("power"), where + ": power") : DEFAULT_POWER;
                if (d.get("pub_key") == null) {
                    throw new CliException(CliException.BAD_INPUT, where + ": no pub_key");
                }
                ValidatorKey key = new ValidatorKey(ordinal, ValidatorKey.decodePubKey(d.get("pub_key"), where), power);
                if (ordinal >= expected) {
                    problems.add(where + ": ordinal " + ordinal + " but only " + expected + " validators are expected");
                } else if (byOrdinal.putIfAbsent(ordinal, key) != null) {
                    problems.add(where + ": a second key for validator " + ordinal);
                }
            } catch (CliException e) {
                problems.add(e.getMessage());
            }
        }
        for (int i = 0; i < expected; i++) {
            if (!byOrdinal.containsKey(i)) {
                problems.add("no public key for validator " + i + " (ConfigMap labelled " + INSTANCE_LABEL + "=" + release
                        + "," + PUBKEY_LABEL + "=true with ordinal " + i + "; see teeledger k8s publish-key)");
            }
        }
        if (!problems.isEmpty()) {
            throw new CliException(CliException.BAD_INPUT, "genesis not written: " + String.join("; ", problems));
        }
        return List.copyOf(byOrdinal.values());
    }

    /**
     * genesis.json as {@code cometbft init} writes it (CometBFT v0.38 types.GenesisDoc, default
     * consensus params) with the given validators and the app_state of scripts/devnet.sh.
     */
    static String genesisJson(GenesisSpec spec, List<ValidatorKey> keys) {
        ObjectNode g = JSON.createObjectNode();
        g.put("genesis_time", spec.genesisTime());
        g.put("chain_id", spec.chainId());
        g.put("initial_height", "1");
        ObjectNode cp = g.putObject("consensus_params");
        cp.putObject("block").put("max_bytes", "22020096").put("max_gas", "-1");
        cp.putObject("evidence").put("max_age_num_blocks", "100000").put("max_age_duration", "172800000000000")
                .put("max_bytes", "1048576");
        cp.putObject("validator").putArray("pub_key_types").add("ed25519");
        cp.putObject("version").put("app", "0");
        cp.putObject("abci").put("vote_extensions_enable_height", "0");
        ArrayNode vals = g.putArray("validators");
        for (ValidatorKey k : keys) {
            ObjectNode v = vals.addObject();
            v.put("address", k.address());
            v.putObject("pub_key").put("type", ValidatorKey.ED25519_TYPE).put("value", k.pubKeyBase64());
            v.put("power", Long.toString(k.power()));
            v.put("name", "validator-" + k.ordinal());
        }
        g.put("app_hash", "");
        ObjectNode app = g.putObject("app_state");
        ObjectNode gov = app.putObject("governance");
        gov.put("threshold", spec.govThreshold());
        spec.govKeys().forEach(gov.putArray("keys")::add);
        ObjectNode params = app.putObject("params");
        spec.params().forEach(params::put);
        try {
            return JSON.writeValueAsString(g) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings always serializes", e);
        }
    }

    /** Same chain: equal documents once genesis_time, which differs per run, is set aside. */
    static boolean sameChain(String a, String b) {
        try {
            JsonNode x = JSON.readTree(a);
            JsonNode y = JSON.readTree(b);
            if (!(x instanceof ObjectNode ox) || !(y instanceof ObjectNode oy)) {
                return false;
            }
            ox.remove("genesis_time");
            oy.remove("genesis_time");
            return ox.equals(oy);
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    private ConfigMap get(String name) {
        return call(() -> client.configMaps().inNamespace(namespace).withName(name).get(), "read " + name);
    }

    private static int parseInt(String s, String what) {
        try {
            return Integer.parseInt(s == null ? "" : s.trim());
        } catch (NumberFormatException e) {
            throw new CliException(CliException.BAD_INPUT, what + " is not an integer: " + s);
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a mandatory JCA algorithm", e);
        }
    }

    private <T> T call(java.util.function.Supplier<T> op, String what) {
        try {
            return op.get();
        } catch (KubernetesClientException e) {
            // Fabric8's own message names only the operation; the root cause says why (refused, 403, ...).
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String why = root == e ? "" : " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
            throw new CliException(CliException.CHAIN, "Kubernetes API: cannot " + what + " in namespace " + namespace
                    + (e.getCode() > 0 ? " (HTTP " + e.getCode() + ")" : "") + ": " + e.getMessage().lines().findFirst().orElse("") + why, e);
        }
    }
}
