package dev.teeledger.cli.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teeledger.cli.CliException;
import dev.teeledger.cli.TeeLedgerCli;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@EnableKubernetesMockClient(crud = true)
class GenesisBootstrapTest {
    static final String NS = "ledger";
    static final String RELEASE = "prod";
    static final String GENESIS = "prod-genesis";

    KubernetesClient client;

    @BeforeEach
    void useMock() {
        // The command closes its client: give it its own, talking to the same mock server.
        K8sCommand.clients = () -> new KubernetesClientBuilder().withConfig(client.getConfiguration()).build();
    }

    @AfterEach
    void cleanUp() {
        client.configMaps().inNamespace(NS).delete();
    }

    // CometBFT v0.38.25 `cometbft init` output: this priv_validator_key.json pub_key has this address.
    static final String VECTOR_KEY = "nmbn8Uh94mmn/apsq6eLi6v/MXh4yft7q86+lPO9Xok=";
    static final String VECTOR_ADDRESS = "B45BC637215A8F45CFBD9851F67237C800D7763A";

    static String key(int seed) {
        byte[] k = new byte[32];
        new Random(seed).nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    GenesisSpec spec(String chainId, String time) {
        return new GenesisSpec(chainId, time, 3, List.of(key(100), key(101), key(102)), 2, new TreeMap<>(Map.of("tx.max_bytes", "65536")));
    }

    void publish(int ordinal, String pubKey) {
        new GenesisBootstrap(client, NS).publishKey(RELEASE, new ValidatorKey(ordinal, Base64.getDecoder().decode(pubKey), 10), false);
    }

    ConfigMap genesisMap() {
        return client.configMaps().inNamespace(NS).withName(GENESIS).get();
    }

    @Test
    void writesGenesisWithValidatorsInOrdinalOrderAndAppState() throws Exception {
        publish(2, key(2));
        publish(0, VECTOR_KEY);
        publish(1, key(1));
        GenesisBootstrap.Outcome o = new GenesisBootstrap(client, NS).run(RELEASE, GENESIS, spec("tl-1", "2026-11-28T00:00:00Z"), false);

        assertThat(o.result()).isEqualTo(GenesisBootstrap.Result.CREATED);
        JsonNode g = new ObjectMapper().readTree(genesisMap().getData().get("genesis.json"));
        assertThat(g.path("chain_id").asText()).isEqualTo("tl-1");
        assertThat(g.path("genesis_time").asText()).isEqualTo("2026-11-28T00:00:00Z");
        assertThat(g.path("initial_height").asText()).isEqualTo("1");
        assertThat(g.path("consensus_params").path("validator").path("pub_key_types").get(0).asText()).isEqualTo("ed25519");
        JsonNode vals = g.path("validators");
        assertThat(vals).hasSize(3);
        assertThat(vals.get(0).path("address").asText()).isEqualTo(VECTOR_ADDRESS);
        assertThat(vals.get(0).path("pub_key").path("type").asText()).isEqualTo("tendermint/PubKeyEd25519");
        assertThat(vals.get(0).path("pub_key").path("value").asText()).isEqualTo(VECTOR_KEY);
        assertThat(vals.get(1).path("pub_key").path("value").asText()).isEqualTo(key(1));
        assertThat(vals.get(2).path("pub_key").path("value").asText()).isEqualTo(key(2));
        assertThat(vals.get(2).path("power").asText()).isEqualTo("10");
        assertThat(g.path("app_state").path("governance").path("threshold").asInt()).isEqualTo(2);
        assertThat(g.path("app_state").path("governance").path("keys")).hasSize(3);
        assertThat(g.path("app_state").path("params").path("tx.max_bytes").asText()).isEqualTo("65536");
        assertThat(genesisMap().getMetadata().getAnnotations().get(GenesisBootstrap.SHA256_ANNOTATION))
                .isEqualTo(GenesisBootstrap.sha256(o.genesisJson()));
    }

    @Test
    void reRunLeavesTheStoredGenesisUntouched() {
        for (int i = 0; i < 3; i++) {
            publish(i, key(i));
        }
        GenesisBootstrap boot = new GenesisBootstrap(client, NS);
        String first = boot.run(RELEASE, GENESIS, spec("tl-1", "2026-11-28T00:00:00Z"), false).genesisJson();
        String version = genesisMap().getMetadata().getResourceVersion();

        // A later run (another genesis_time, as the Job on every helm upgrade) changes nothing.
        GenesisBootstrap.Outcome again = boot.run(RELEASE, GENESIS, spec("tl-1", "2026-12-01T10:00:00Z"), false);

        assertThat(again.result()).isEqualTo(GenesisBootstrap.Result.UNCHANGED);
        assertThat(again.genesisJson()).isEqualTo(first);
        assertThat(genesisMap().getMetadata().getResourceVersion()).isEqualTo(version);
        assertThat(boot.publishKey(RELEASE, new ValidatorKey(0, Base64.getDecoder().decode(key(0)), 10), false))
                .isEqualTo(GenesisBootstrap.Result.UNCHANGED);
    }

    @Test
    void missingValidatorKeyIsNamedAndNothingIsWritten() {
        publish(0, key(0));
        publish(2, key(2));

        assertThatThrownBy(() -> new GenesisBootstrap(client, NS).run(RELEASE, GENESIS, spec("tl-1", "2026-11-28T00:00:00Z"), false))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("no public key for validator 1")
                .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(CliException.BAD_INPUT));
        assertThat(genesisMap()).isNull();
    }

    @Test
    void rejectsMalformedAndDuplicateKeysWithoutWriting() {
        publish(0, key(0));
        publish(1, key(1));
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("stray")
                .addToLabels(GenesisBootstrap.INSTANCE_LABEL, RELEASE).addToLabels(GenesisBootstrap.PUBKEY_LABEL, "true").endMetadata()
                .withData(Map.of("ordinal", "1", "pub_key", key(9))).build()).create();
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("short")
                .addToLabels(GenesisBootstrap.INSTANCE_LABEL, RELEASE).addToLabels(GenesisBootstrap.PUBKEY_LABEL, "true").endMetadata()
                .withData(Map.of("ordinal", "2", "pub_key", "AAAA")).build()).create();

        assertThatThrownBy(() -> new GenesisBootstrap(client, NS).run(RELEASE, GENESIS, spec("tl-1", "2026-11-28T00:00:00Z"), false))
                .hasMessageContaining("a second key for validator 1")
                .hasMessageContaining("3 bytes")
                .hasMessageContaining("no public key for validator 2");
        assertThat(genesisMap()).isNull();
    }

    @Test
    void ignoresKeysOfAnotherRelease() {
        for (int i = 0; i < 3; i++) {
            new GenesisBootstrap(client, NS).publishKey("staging", new ValidatorKey(i, Base64.getDecoder().decode(key(i)), 10), false);
        }
        assertThatThrownBy(() -> new GenesisBootstrap(client, NS).run(RELEASE, GENESIS, spec("tl-1", "2026-11-28T00:00:00Z"), false))
                .hasMessageContaining("no public key for validator 0");
    }

    @Test
    void refusesToOverwriteADifferentGenesisUnlessForced() throws Exception {
        for (int i = 0; i < 3; i++) {
            publish(i, key(i));
        }
        GenesisBootstrap boot = new GenesisBootstrap(client, NS);
        String original = boot.run(RELEASE, GENESIS, spec("tl-1", "2026-11-28T00:00:00Z"), false).genesisJson();

        assertThatThrownBy(() -> boot.run(RELEASE, GENESIS, spec("tl-2", "2026-11-28T00:00:00Z"), false))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("already holds a different genesis")
                .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(CliException.REJECTED));
        assertThat(genesisMap().getData().get("genesis.json")).isEqualTo(original);

        GenesisBootstrap.Outcome forced = boot.run(RELEASE, GENESIS, spec("tl-2", "2026-11-28T00:00:00Z"), true);
        assertThat(forced.result()).isEqualTo(GenesisBootstrap.Result.REPLACED);
        assertThat(new ObjectMapper().readTree(genesisMap().getData().get("genesis.json")).path("chain_id").asText()).isEqualTo("tl-2");
    }

    @Test
    void refusesAnUnreadableExistingGenesis() {
        for (int i = 0; i < 3; i++) {
            publish(i, key(i));
        }
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName(GENESIS).endMetadata()
                .withData(Map.of("genesis.json", "{not json")).build()).create();
        assertThatThrownBy(() -> new GenesisBootstrap(client, NS).run(RELEASE, GENESIS, spec("tl-1", "2026-11-28T00:00:00Z"), false))
                .hasMessageContaining("already holds a different genesis");
        assertThat(genesisMap().getData().get("genesis.json")).isEqualTo("{not json");
    }

    @Test
    void publishKeyRefusesAnotherKeyForTheSameOrdinal() {
        publish(0, key(0));
        assertThatThrownBy(() -> publish(0, key(5)))
                .hasMessageContaining("already holds another key for validator 0");
    }

    @Test
    void commandLinePublishesOnlyThePublicKeyAndWritesGenesis(@TempDir Path dir) throws Exception {
        Path keyFile = dir.resolve("priv_validator_key.json");
        Files.writeString(keyFile, "{\"address\":\"" + VECTOR_ADDRESS + "\",\"pub_key\":{\"type\":\"tendermint/PubKeyEd25519\",\"value\":\""
                + VECTOR_KEY + "\"},\"priv_key\":{\"type\":\"tendermint/PrivKeyEd25519\",\"value\":\"c2VjcmV0\"}}");
        StringWriter out = new StringWriter();
        CommandLine cli = TeeLedgerCli.commandLine();
        cli.setOut(new PrintWriter(out));

        int rc = cli.execute("k8s", "publish-key", "--namespace", NS, "--release", RELEASE, "--ordinal", "0", "--key", keyFile.toString());
        assertThat(rc).isZero();
        ConfigMap published = client.configMaps().inNamespace(NS).withName("prod-validator-0-pubkey").get();
        assertThat(published.getData()).containsEntry("pub_key", VECTOR_KEY).containsEntry("ordinal", "0");
        assertThat(published.getData().toString()).doesNotContain("c2VjcmV0");

        rc = cli.execute("k8s", "genesis", "--namespace", NS, "--release", RELEASE, "--chain-id", "tl-1", "--validators", "1",
                "--gov-key", key(100), "--gov-threshold", "1", "--genesis-time", "2026-11-28T00:00:00Z");
        assertThat(rc).isZero();
        assertThat(out.toString()).contains("genesis created: ConfigMap ledger/prod-genesis");
        assertThat(genesisMap()).isNotNull();
    }

    @Test
    void unreachableApiServerIsAChainErrorNamingTheCause() {
        K8sCommand.clients = () -> new KubernetesClientBuilder().withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder().withMasterUrl("https://127.0.0.1:1").withRequestRetryBackoffLimit(0).build()).build();
        StringWriter err = new StringWriter();
        CommandLine cli = TeeLedgerCli.commandLine();
        cli.setErr(new PrintWriter(err));
        int rc = cli.execute("k8s", "genesis", "--namespace", NS, "--release", RELEASE, "--chain-id", "tl-1", "--validators", "1",
                "--gov-key", key(100), "--gov-threshold", "1");
        assertThat(rc).isEqualTo(CliException.CHAIN);
        assertThat(err.toString()).contains("Kubernetes API: cannot list validator keys in namespace ledger").contains("Exception");
    }

    @Test
    void commandLineReportsBadThresholdAsBadInput() {
        StringWriter err = new StringWriter();
        CommandLine cli = TeeLedgerCli.commandLine();
        cli.setErr(new PrintWriter(err));
        int rc = cli.execute("k8s", "genesis", "--namespace", NS, "--release", RELEASE, "--chain-id", "tl-1", "--validators", "1",
                "--gov-key", key(100), "--gov-threshold", "2");
        assertThat(rc).isEqualTo(CliException.BAD_INPUT);
        assertThat(err.toString()).contains("governance threshold must be between 1 and 1");
        assertThat(genesisMap()).isNull();
    }
}
