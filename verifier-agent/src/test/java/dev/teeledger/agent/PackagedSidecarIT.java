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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    private static PackagedSidecar sidecar;
    private static HttpSidecarClient client;

    @BeforeAll
    static void start() throws Exception {
        tpms = SwtpmFixture.start(SwtpmFixture.AkAlgorithm.ECC);
        Path firmware = Files.writeString(tmp.resolve("fw.bin"), "packaged sidecar firmware");
        sidecar = new PackagedSidecar(tmp.resolve("sidecar"), Map.of(
                "teeledger.sidecar.tpm.port", Integer.toString(tpms.tpm(0).dataPort()),
                "teeledger.sidecar.state-dir", tmp.resolve("state").toString(),
                "teeledger.sidecar.chain-id", CHAIN_ID,
                "teeledger.sidecar.handles.ak", "0x81010006",
                "teeledger.sidecar.handles.node-key", "0x81000016",
                "teeledger.sidecar.measurement.firmware", firmware.toString()));
        sidecar.awaitReady(Duration.ofSeconds(60));
        client = new HttpSidecarClient(sidecar.uri(), Duration.ofSeconds(2), Duration.ofSeconds(35));
    }

    @AfterAll
    static void stop() throws Exception {
        if (sidecar != null) {
            sidecar.close();
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
