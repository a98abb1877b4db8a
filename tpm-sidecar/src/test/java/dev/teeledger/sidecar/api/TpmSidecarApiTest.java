package dev.teeledger.sidecar.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.ByteString;
import dev.teeledger.protocol.tpm.CertifyVerifier;
import dev.teeledger.protocol.tpm.MeasurementLog;
import dev.teeledger.protocol.tpm.PcrSelection;
import dev.teeledger.protocol.tpm.QuoteVerifier;
import dev.teeledger.protocol.tpm.TpmAlg;
import dev.teeledger.protocol.tpm.TpmtPublic;
import dev.teeledger.protocol.vrf.EcVrf;
import dev.teeledger.sidecar.api.v1.GetIdentityRequest;
import dev.teeledger.sidecar.api.v1.Identity;
import dev.teeledger.sidecar.api.v1.QuoteRequest;
import dev.teeledger.sidecar.api.v1.QuoteResponse;
import dev.teeledger.sidecar.api.v1.SignRequest;
import dev.teeledger.sidecar.api.v1.SignResponse;
import dev.teeledger.sidecar.api.v1.TpmSidecar;
import dev.teeledger.sidecar.api.v1.VrfProveRequest;
import dev.teeledger.sidecar.api.v1.VrfProveResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;

/**
 * The Quarkus wiring end to end against a real swtpm: gRPC and REST calls, problem responses,
 * readiness and metrics. The TPM semantics are covered in depth by {@code NodeTpmIT}.
 */
@QuarkusTest
@QuarkusTestResource(value = SwtpmSidecarResource.class, restrictToAnnotatedClass = true)
class TpmSidecarApiTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    @GrpcClient("sidecar")
    TpmSidecar grpc;

    @Test
    void grpcIdentityCarriesVerifiableCertifyEvidence() throws Exception {
        Identity id = grpc.getIdentity(GetIdentityRequest.getDefaultInstance()).await().atMost(WAIT);

        assertThat(id.getEkCertificate().toByteArray()).isEqualTo(SwtpmSidecarResource.fixture.tpm(0).ekCertificate());
        assertThat(id.getIntermediatesList()).containsExactly(
                ByteString.copyFrom(SwtpmSidecarResource.fixture.intermediateCertificate()));
        TpmtPublic ak = TpmtPublic.parse(id.getAkPublic().toByteArray());
        CertifyVerifier.verify(ak, TpmtPublic.parse(id.getNodeKeyPublic().toByteArray()),
                id.getCertifyAttest().toByteArray(), id.getCertifySignature().toByteArray(), null);
        assertThat(id.getChainId()).isEqualTo("teeledger-test");
    }

    @Test
    void grpcQuoteSignAndVrfVerify() throws Exception {
        Identity id = grpc.getIdentity(GetIdentityRequest.getDefaultInstance()).await().atMost(WAIT);
        byte[] nonce = new byte[32];
        RANDOM.nextBytes(nonce);

        QuoteResponse q = grpc.quote(QuoteRequest.newBuilder().setNonce(ByteString.copyFrom(nonce))
                .addAllPcrs(List.of(0, 15)).build()).await().atMost(WAIT);
        byte[] firmwareDigest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(SwtpmSidecarResource.firmware));
        QuoteVerifier.VerifiedQuote verified = new QuoteVerifier(true).verify(
                TpmtPublic.parse(id.getAkPublic().toByteArray()), null, nonce,
                List.of(new PcrSelection(TpmAlg.SHA256, new byte[] {1, (byte) 0x80, 0})), q.getAttest().toByteArray(),
                q.getSignature().toByteArray(), q.getMeasurementLog().toByteArray(),
                d -> MessageDigest.isEqual(d, firmwareDigest), null);
        assertThat(verified.log().entries()).extracting(MeasurementLog.Entry::name).containsExactly("hsm-firmware.bin");

        byte[] digest = MessageDigest.getInstance("SHA-256").digest(nonce);
        SignResponse s = grpc.sign(SignRequest.newBuilder().setDigest(ByteString.copyFrom(digest)).build())
                .await().atMost(WAIT);
        Signature v = Signature.getInstance("SHA256withECDSA", new BouncyCastleProvider());
        v.initVerify(TpmtPublic.parse(id.getNodeKeyPublic().toByteArray()).toJcaPublicKey());
        v.update(nonce);
        assertThat(v.verify(s.getSignatureDer().toByteArray())).isTrue();

        VrfProveResponse vrf = grpc.vrfProve(VrfProveRequest.newBuilder().setAlpha(ByteString.copyFromUtf8("seed")).build())
                .await().atMost(WAIT);
        assertThat(EcVrf.verify(id.getVrfPublicKey().toByteArray(), vrf.getProof().toByteArray(), "seed".getBytes()))
                .isEqualTo(vrf.getOutput().toByteArray());
    }

    @Test
    void grpcRejectsAnUnknownPcrAsInvalidArgument() {
        assertThatThrownBy(() -> grpc.quote(QuoteRequest.newBuilder().setNonce(ByteString.copyFrom(new byte[16]))
                .addPcrs(24).build()).await().atMost(WAIT))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("unknown PCR 24");
                });
    }

    @Test
    void restMirrorsQuoteAndReportsProblems() {
        String nonce = Base64.getEncoder().encodeToString(new byte[16]);
        given().contentType("application/json").body(Map.of("nonce", nonce, "pcrs", List.of(15)))
                .when().post("/v1/quote")
                .then().statusCode(200).body("pcrValues[0].index", equalTo(15));

        given().contentType("application/json").body(Map.of("nonce", Base64.getEncoder().encodeToString(new byte[4]),
                        "pcrs", List.of(15)))
                .when().post("/v1/quote")
                .then().statusCode(400).contentType("application/problem+json")
                .body("title", equalTo("INVALID_ARGUMENT"))
                .body("detail", containsString("nonce must be 16..32 bytes"));

        given().when().get("/v1/identity").then().statusCode(200).body("chainId", equalTo("teeledger-test"));
    }

    @Test
    void readinessIsUpAndMetricsCountTpmCalls() {
        given().when().get("/q/health/ready").then().statusCode(200).body("checks.find { it.name == 'tpm' }.status",
                equalTo("UP"));
        given().when().get("/v1/identity").then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("teeledger_sidecar_tpm_calls_seconds_count"));
    }
}
