package dev.teeledger.cli.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teeledger.cli.CliException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code teeledger k8s genesis|publish-key}: the genesis bootstrap of a chain on Kubernetes
 * (run by the chart's genesis Job, or by an operator). The API server and credentials come
 * from the usual places (in-cluster service account, else ~/.kube/config), as Fabric8 finds them.
 */
@Command(name = "k8s", description = "Genesis bootstrap on Kubernetes.",
        subcommands = {K8sCommand.Genesis.class, K8sCommand.PublishKey.class})
public final class K8sCommand {
    /** Client factory; tests swap in a mock server's client. */
    static Supplier<KubernetesClient> clients = () -> new KubernetesClientBuilder().build();

    @Command(name = "genesis", description = "Build genesis.json from the validators' public-key ConfigMaps and store it in a ConfigMap (idempotent).")
    static final class Genesis implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--namespace", required = true)
        String namespace;

        @Option(names = "--release", required = true, description = "value of the app.kubernetes.io/instance label of the key ConfigMaps")
        String release;

        @Option(names = "--configmap", description = "genesis ConfigMap name (default <release>-genesis)")
        String configMap;

        @Option(names = "--chain-id", required = true)
        String chainId;

        @Option(names = "--validators", required = true, description = "number of validators (ordinals 0..n-1)")
        int validators;

        @Option(names = "--gov-key", required = true, description = "base64 Ed25519 governance public key (repeat)")
        List<String> govKeys = new ArrayList<>();

        @Option(names = "--gov-threshold", required = true)
        int govThreshold;

        @Option(names = "--param", description = "parameter override id=value (repeat), e.g. tx.max_bytes=65536")
        List<String> params = new ArrayList<>();

        @Option(names = "--genesis-time", description = "RFC 3339 UTC time (default: now, whole seconds)")
        String genesisTime;

        @Option(names = "--force", description = "replace an existing different genesis (validators that started from it fork)")
        boolean force;

        @Override
        public void run() {
            TreeMap<String, String> p = new TreeMap<>();
            for (String kv : params) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new CliException(CliException.BAD_INPUT, "--param wants id=value, got " + kv);
                }
                p.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            String time;
            try {
                time = genesisTime == null ? Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()
                        : Instant.parse(genesisTime).toString();
            } catch (DateTimeParseException e) {
                throw new CliException(CliException.BAD_INPUT, "--genesis-time is not RFC 3339: " + genesisTime);
            }
            GenesisSpec gs = new GenesisSpec(chainId, time, validators, govKeys, govThreshold, p);
            String cm = configMap == null ? release + "-genesis" : configMap;
            try (KubernetesClient client = clients.get()) {
                GenesisBootstrap.Outcome o = new GenesisBootstrap(client, namespace).run(release, cm, gs, force);
                spec.commandLine().getOut().printf("genesis %s: ConfigMap %s/%s (sha256 %s)%n", o.result().name().toLowerCase(),
                        namespace, cm, GenesisBootstrap.sha256(o.genesisJson()));
            }
        }
    }

    @Command(name = "publish-key", description = "Publish a validator's public consensus key (never the private one) for the genesis Job.")
    static final class PublishKey implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--namespace", required = true)
        String namespace;

        @Option(names = "--release", required = true)
        String release;

        @Option(names = "--ordinal", required = true, description = "StatefulSet ordinal of the validator")
        int ordinal;

        @Option(names = "--key", description = "CometBFT priv_validator_key.json (only pub_key is read)")
        Path keyFile;

        @Option(names = "--pub-key", description = "base64 Ed25519 public key, instead of --key")
        String pubKey;

        @Option(names = "--power", defaultValue = "10")
        long power;

        @Option(names = "--force", description = "replace a different key already published for this ordinal")
        boolean force;

        @Override
        public void run() {
            if ((keyFile == null) == (pubKey == null)) {
                throw new CliException(CliException.BAD_INPUT, "give exactly one of --key and --pub-key");
            }
            byte[] raw = keyFile != null ? readPubKey(keyFile) : ValidatorKey.decodePubKey(pubKey, "--pub-key");
            ValidatorKey key = new ValidatorKey(ordinal, raw, power);
            try (KubernetesClient client = clients.get()) {
                GenesisBootstrap.Result r = new GenesisBootstrap(client, namespace).publishKey(release, key, force);
                spec.commandLine().getOut().printf("validator %d key %s: %s (address %s)%n", ordinal, r.name().toLowerCase(),
                        key.pubKeyBase64(), key.address());
            }
        }
    }

    /** The {@code pub_key} of a CometBFT priv_validator_key.json. */
    static byte[] readPubKey(Path file) {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new CliException(CliException.BAD_INPUT, "cannot read " + file + ": " + e.getMessage());
        }
        JsonNode pk = n == null ? null : n.path("pub_key");
        if (pk == null || !ValidatorKey.ED25519_TYPE.equals(pk.path("type").asText())) {
            throw new CliException(CliException.BAD_INPUT, file + ": no " + ValidatorKey.ED25519_TYPE + " pub_key");
        }
        return ValidatorKey.decodePubKey(pk.path("value").asText(), file.toString());
    }
}
