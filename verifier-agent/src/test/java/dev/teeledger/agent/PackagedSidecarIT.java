package dev.teeledger.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.protocol.tpm.CredentialActivation;
import dev.teeledger.protocol.tpm.PcrSelection;
import dev.teeledger.protocol.tpm.QuoteVerifier;
import dev.teeledger.protocol.tpm.TpmAlg;
import dev.teeledger.protocol.tpm.TpmtPublic;
import dev.teeledger.protocol.vrf.EcVrf;
import dev.teeledger.testkit.swtpm.SwtpmFixture;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HttpSidecarClient} against the real, packaged tpm-sidecar
 * ({@code tpm-sidecar/target/quarkus-app/quarkus-run.jar}, started as a process with
 * {@code -D} configuration) in front of an swtpm: every call the agent makes is answered and
 * verifies with {@code protocol}, and the sidecar's refusals arrive as the right typed kinds.
 * The reactor builds tpm-sidecar first (it is a test dependency of this module).
 */
class PackagedSidecarIT {
    private static final String CHAIN_ID = "agent-packaged-sidecar-it";
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    static Path tmp;

    private static SwtpmFixture tpms;
    private static Process sidecar;
    private static HttpSidecarClient client;

    @BeforeAll
    static void start() throws Exception {
        Path jar = Path.of("..", "tpm-sidecar", "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().normalize();
        assertThat(jar).as("packaged tpm-sidecar (build the reactor)").exists();
        tpms = SwtpmFixture.start(SwtpmFixture.AkAlgorithm.ECC);
        Path firmware = Files.writeString(tmp.resolve("fw.bin"), "packaged sidecar firmware");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        URI base = URI.create("http://127.0.0.1:" + port);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-Dquarkus.http.port=" + port,
                "-Dteeledger.sidecar.tpm.port=" + tpms.tpm(0).dataPort(),
                "-Dteeledger.sidecar.state-dir=" + tmp.resolve("state"),
                "-Dteeledger.sidecar.chain-id=" + CHAIN_ID,
                "-Dteeledger.sidecar.endpoint=" + base,
                "-Dteeledger.sidecar.handles.ak=0x81010006",
                "-Dteeledger.sidecar.handles.node-key=0x81000016",
                "-Dteeledger.sidecar.measurement.firmware=" + firmware,
                "-jar", jar.toString()));
        sidecar = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("sidecar.log").toFile()).start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        boolean ready = false;
        while (!ready && System.nanoTime() < deadline && sidecar.isAlive()) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                ready = r.statusCode() == 200;
            } catch (java.io.IOException e) {
                // not listening yet
            }
            if (!ready) {
                Thread.sleep(250);
            }
        }
        assertThat(ready).as("sidecar ready; log:\n%s", Files.exists(tmp.resolve("sidecar.log"))
                ? Files.readString(tmp.resolve("sidecar.log")) : "").isTrue();
        client = new HttpSidecarClient(base, Duration.ofSeconds(2), Duration.ofSeconds(35));
    }

    @AfterAll
    static void stop() throws Exception {
        if (sidecar != null) {
            sidecar.destroy();
            if (!sidecar.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                sidecar.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
        if (tpms != null) {
            tpms.close();
        }
    }

    @Test
    void everyAgentCallIsAnsweredAndVerifies() throws Exception {
        SidecarClient.Identity id = client.identity();
        assertThat(id.chainId()).isEqualTo(CHAIN_ID);
        assertThat(id.hsmId()).hasSize(32);
        assertThat(id.measurementPcr()).isEqualTo(15);

        byte[] alpha = "round alpha".getBytes(StandardCharsets.UTF_8);
        SidecarClient.VrfResult vrf = client.vrfProve(alpha);
        assertThat(EcVrf.verify(id.vrfPublicKey(), vrf.proof(), alpha)).isEqualTo(vrf.output());

        byte[] digest = MessageDigest.getInstance("SHA-256").digest(alpha);
        SidecarSigner signer = SidecarSigner.forIdentity(client, id);
        assertThat(signer.sign(alpha)).hasSize(64);
        assertThat(client.sign(digest).lowS()).hasSize(64);

        TpmtPublic ek = TpmtPublic.parse(id.ekPublic());
        TpmtPublic ak = TpmtPublic.parse(id.akPublic());
        CredentialActivation.Challenge challenge = CredentialActivation.make(ek, ak.name(), RANDOM);
        assertThat(CredentialActivation.verifySecret(challenge.secret(),
                client.activateCredential(challenge.idObject(), challenge.encryptedSecret()))).isTrue();

        byte[] nonce = new byte[32];
        RANDOM.nextBytes(nonce);
        SidecarClient.Quote quote = client.quote(nonce, List.of(15));
        var verified = new QuoteVerifier(true).verify(ak, null, nonce,
                List.of(new PcrSelection(TpmAlg.SHA256, new byte[] {0, (byte) 0x80, 0})), quote.attest(), quote.signature(),
                quote.measurementLog(), hash -> true, null);
        assertThat(verified.log().entries()).singleElement().satisfies(e -> assertThat(e.name()).isEqualTo("fw.bin"));
    }

    @Test
    void refusalsArriveTyped() throws Exception {
        assertThatThrownBy(() -> client.quote(new byte[8], List.of(15))).isInstanceOfSatisfying(SidecarException.class,
                e -> assertThat(e.kind()).isEqualTo(SidecarException.Kind.INVALID_ARGUMENT));
        SidecarClient.Identity id = client.identity();
        // A credential made for another AK name: the TPM refuses it (integrity), a TPM_ERROR.
        byte[] otherName = TpmtPublic.parse(id.nodeKeyPublic()).name();
        CredentialActivation.Challenge wrong = CredentialActivation.make(TpmtPublic.parse(id.ekPublic()), otherName, RANDOM);
        assertThatThrownBy(() -> client.activateCredential(wrong.idObject(), wrong.encryptedSecret()))
                .isInstanceOfSatisfying(SidecarException.class, e -> {
                    assertThat(e.kind()).isEqualTo(SidecarException.Kind.TPM_ERROR);
                    assertThat(VerdictMapping.reasonFor(e, true)).isEqualTo(dev.teeledger.protocol.tx.v1.VerdictReason.VERDICT_REASON_ACTIVATION_FAILED);
                });
    }
}
