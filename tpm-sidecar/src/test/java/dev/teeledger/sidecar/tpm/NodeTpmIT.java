package dev.teeledger.sidecar.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.protocol.tpm.AkPolicy;
import dev.teeledger.protocol.tpm.CertifyVerifier;
import dev.teeledger.protocol.tpm.CredentialActivation;
import dev.teeledger.protocol.tpm.MeasurementLog;
import dev.teeledger.protocol.tpm.PcrSelection;
import dev.teeledger.protocol.tpm.QuoteVerifier;
import dev.teeledger.protocol.tpm.TpmAlg;
import dev.teeledger.protocol.tpm.TpmtPublic;
import dev.teeledger.protocol.vrf.EcVrf;
import dev.teeledger.sidecar.evidence.NodeSignature;
import dev.teeledger.sidecar.evidence.QuoteEvidence;
import dev.teeledger.sidecar.evidence.SidecarIdentity;
import dev.teeledger.sidecar.evidence.VrfEvaluation;
import dev.teeledger.sidecar.tpm.SidecarException.Reason;
import dev.teeledger.testkit.swtpm.JoinTransactions;
import dev.teeledger.testkit.swtpm.ProvisionedTpm;
import dev.teeledger.testkit.swtpm.SwtpmFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sidecar's TPM layer against real swtpm instances with EK certificates from the testkit's
 * local CA: TPM 0 already carries the fixture's AK and node key (the sidecar adopts them), TPM 1
 * has only its EK (the sidecar provisions AK, node key and VRF key itself).
 */
class NodeTpmIT {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final List<Integer> QUOTED = List.of(0, 1, 2, 3, 7, 15);

    private static SwtpmFixture fixture;
    private static Path work;
    private static Path firmware;
    private static Path wasm;
    private static NodeTpmConfig adoptConfig;
    private static NodeTpm adopting;

    @BeforeAll
    static void start() throws Exception {
        fixture = SwtpmFixture.start(SwtpmFixture.AkAlgorithm.ECC, SwtpmFixture.AkAlgorithm.ECC);
        work = Files.createTempDirectory("node-tpm-it");
        firmware = Files.write(work.resolve("hsm-firmware.bin"), "firmware image v1".getBytes(StandardCharsets.UTF_8));
        wasm = Files.write(work.resolve("system.wasm"), "\0asm system module".getBytes(StandardCharsets.UTF_8));
        Path intermediate = Files.write(work.resolve("intermediate.der"), fixture.intermediateCertificate());
        adoptConfig = config(fixture.tpm(0), work.resolve("state0"))
                .withIntermediateFiles(List.of(intermediate))
                .withMeasurements(15, List.of(new NodeTpmConfig.Component(MeasurementLog.Kind.FIRMWARE, firmware),
                        new NodeTpmConfig.Component(MeasurementLog.Kind.WASM, wasm)));
        adopting = open(fixture.tpm(0), adoptConfig);
    }

    @AfterAll
    static void stop() {
        if (adopting != null) {
            adopting.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    static NodeTpmConfig config(ProvisionedTpm tpm, Path state) {
        return NodeTpmConfig.defaults(state, "teeledger-test", "https://hsm-" + tpm.index() + ".test:8443");
    }

    static NodeTpm open(ProvisionedTpm tpm, NodeTpmConfig config) {
        TpmSession session = new TpmSession(
                TpmConnector.tcp("127.0.0.1", tpm.dataPort(), Duration.ofSeconds(2), Duration.ofSeconds(10)),
                Duration.ofSeconds(30), TpmCallObserver.NONE);
        return new NodeTpm(session, config, RANDOM);
    }

    @Test
    void readsTheIdentityTheFixtureProvisioned() throws Exception {
        ProvisionedTpm tpm = fixture.tpm(0);
        SidecarIdentity id = adopting.identity();

        assertThat(id.ekCertificate()).isEqualTo(tpm.ekCertificate());
        assertThat(id.ekPublic()).isEqualTo(tpm.ekPublic());
        assertThat(id.akPublic()).isEqualTo(tpm.akPublic());
        assertThat(id.akName()).isEqualTo(tpm.ak().name());
        assertThat(id.nodeKeyPublic()).isEqualTo(tpm.nodeKeyPublic());
        assertThat(id.hsmId()).isEqualTo(JoinTransactions.hsmId(tpm));
        assertThat(id.intermediates()).containsExactly(fixture.intermediateCertificate());
        assertThat(id.vrfPublicKey()).hasSize(EcVrf.PUBLIC_KEY_LEN);
        assertThat(id.chainId()).isEqualTo("teeledger-test");
        assertThat(id.measurementPcr()).isEqualTo(15);
    }

    @Test
    void certifyEvidenceIsAcceptedByTheProtocolVerifier() throws Exception {
        SidecarIdentity id = adopting.identity();
        TpmtPublic ak = TpmtPublic.parse(id.akPublic());
        TpmtPublic node = TpmtPublic.parse(id.nodeKeyPublic());

        AkPolicy.check(ak);
        assertThat(CertifyVerifier.verify(ak, node, id.certifyAttest(), id.certifySignature(), null).certifiedName())
                .isEqualTo(node.name());
    }

    @Test
    void activatesACredentialMadeVerifierSide() throws Exception {
        SidecarIdentity id = adopting.identity();
        CredentialActivation.Challenge challenge =
                CredentialActivation.make(TpmtPublic.parse(id.ekPublic()), id.akName(), RANDOM);

        byte[] secret = adopting.activateCredential(challenge.idObject(), challenge.encryptedSecret());

        assertThat(CredentialActivation.verifySecret(challenge.secret(), secret)).isTrue();
    }

    @Test
    void refusesACredentialBoundToAnotherAkName() throws Exception {
        SidecarIdentity id = adopting.identity();
        byte[] otherName = TpmtPublic.parse(id.nodeKeyPublic()).name();
        CredentialActivation.Challenge challenge =
                CredentialActivation.make(TpmtPublic.parse(id.ekPublic()), otherName, RANDOM);

        assertThatThrownBy(() -> adopting.activateCredential(challenge.idObject(), challenge.encryptedSecret()))
                .isInstanceOfSatisfying(SidecarException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.TPM_ERROR);
                    assertThat(e.tpmResponseCode()).isNotZero();
                });
    }

    @Test
    void quoteVerifiesWithTheProtocolVerifierAndWithCheckquote() throws Exception {
        SidecarIdentity id = adopting.identity();
        byte[] nonce = new byte[32];
        RANDOM.nextBytes(nonce);

        QuoteEvidence quote = adopting.quote(nonce, QUOTED);

        TpmtPublic ak = TpmtPublic.parse(id.akPublic());
        Set<String> approved = approved(adopting.measuredComponents());
        QuoteVerifier.VerifiedQuote verified = new QuoteVerifier(true).verify(ak, null, nonce,
                List.of(new PcrSelection(TpmAlg.SHA256, NodeTpm.selection(QUOTED))), quote.attest(), quote.signature(),
                quote.measurementLog(), d -> approved.contains(java.util.HexFormat.of().formatHex(d)), null);
        assertThat(verified.log().entries()).extracting(MeasurementLog.Entry::name)
                .containsExactly("hsm-firmware.bin", "system.wasm");
        assertThat(quote.pcrValues()).extracting(QuoteEvidence.PcrValue::index).containsExactlyElementsOf(QUOTED);
        assertThat(quote.pcrValues().get(5).sha256()).isEqualTo(verified.log().replay()[15]);
        assertThat(SwtpmTools.checkquote(work, id.akPublic(), quote, nonce)).isTrue();

        byte[] otherNonce = nonce.clone();
        otherNonce[0] ^= 1;
        assertThat(SwtpmTools.checkquote(work, id.akPublic(), quote, otherNonce)).isFalse();
    }

    @Test
    void signatureVerifiesWithBouncyCastle() throws Exception {
        SidecarIdentity id = adopting.identity();
        byte[] message = "transfer 5 credits".getBytes(StandardCharsets.UTF_8);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(message);

        NodeSignature sig = adopting.sign(digest);

        Signature verifier = Signature.getInstance("SHA256withECDSA", new BouncyCastleProvider());
        verifier.initVerify(TpmtPublic.parse(id.nodeKeyPublic()).toJcaPublicKey());
        verifier.update(message);
        assertThat(verifier.verify(sig.der())).isTrue();
        Signature plain = Signature.getInstance("SHA256withPLAIN-ECDSA", new BouncyCastleProvider());
        plain.initVerify(TpmtPublic.parse(id.nodeKeyPublic()).toJcaPublicKey());
        plain.update(message);
        assertThat(plain.verify(sig.lowS())).isTrue();
    }

    @Test
    void vrfProofVerifiesUnderTheIdentityKey() throws Exception {
        SidecarIdentity id = adopting.identity();
        byte[] alpha = "round 42 seed".getBytes(StandardCharsets.UTF_8);

        VrfEvaluation vrf = adopting.vrfProve(alpha);

        assertThat(EcVrf.verify(id.vrfPublicKey(), vrf.proof(), alpha)).isEqualTo(vrf.output());
    }

    @Test
    void rejectsBadArgumentsWithClearErrors() {
        assertThatThrownBy(() -> adopting.quote(new byte[8], QUOTED))
                .isInstanceOfSatisfying(SidecarException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("nonce must be 16..32 bytes, got 8");
                });
        assertThatThrownBy(() -> adopting.quote(new byte[33], QUOTED))
                .isInstanceOfSatisfying(SidecarException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT));
        assertThatThrownBy(() -> adopting.quote(new byte[16], List.of(0, 24)))
                .isInstanceOfSatisfying(SidecarException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("unknown PCR 24");
                });
        assertThatThrownBy(() -> adopting.quote(new byte[16], List.of()))
                .isInstanceOfSatisfying(SidecarException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT));
        assertThatThrownBy(() -> adopting.sign(new byte[31]))
                .isInstanceOfSatisfying(SidecarException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT));
        assertThatThrownBy(() -> adopting.activateCredential(new byte[] {0, 5, 1}, new byte[] {0, 1, 1}))
                .isInstanceOfSatisfying(SidecarException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT));
        assertThatThrownBy(() -> adopting.vrfProve(new byte[NodeTpm.MAX_VRF_INPUT + 1]))
                .isInstanceOfSatisfying(SidecarException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT));
    }

    @Test
    void hundredConcurrentQuotesAndSignaturesAllSucceed() throws Exception {
        SidecarIdentity id = adopting.identity();
        TpmtPublic ak = TpmtPublic.parse(id.akPublic());
        Set<String> approved = approved(adopting.measuredComponents());
        ExecutorService pool = Executors.newFixedThreadPool(100);
        long t0 = System.nanoTime();
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                boolean quote = i % 2 == 0;
                results.add(pool.submit(() -> {
                    byte[] nonce = new byte[32];
                    RANDOM.nextBytes(nonce);
                    if (quote) {
                        QuoteEvidence q = adopting.quote(nonce, QUOTED);
                        new QuoteVerifier(true).verify(ak, null, nonce,
                                List.of(new PcrSelection(TpmAlg.SHA256, NodeTpm.selection(QUOTED))), q.attest(),
                                q.signature(), q.measurementLog(),
                                d -> approved.contains(java.util.HexFormat.of().formatHex(d)), null);
                        return true;
                    }
                    NodeSignature s = adopting.sign(nonce);
                    Signature v = Signature.getInstance("NONEwithECDSA", new BouncyCastleProvider());
                    v.initVerify(TpmtPublic.parse(id.nodeKeyPublic()).toJcaPublicKey());
                    v.update(nonce);
                    return v.verify(s.der());
                }));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get()).isTrue();
            }
            System.out.printf("100 concurrent quote+sign calls (verification included): %d ms%n",
                    (System.nanoTime() - t0) / 1_000_000);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void identityIsTheSameAfterASidecarRestartAndAfterATpmReset() throws Exception {
        ProvisionedTpm tpm = fixture.tpm(1);
        NodeTpmConfig config = config(tpm, work.resolve("state1")).withKeyHandles(0x81010003, 0x81000011)
                .withMeasurements(15, List.of(new NodeTpmConfig.Component(MeasurementLog.Kind.FIRMWARE, firmware)));
        SidecarIdentity first;
        try (NodeTpm sidecar = open(tpm, config)) {
            first = sidecar.identity();
            // Fresh keys: the sidecar created the AK and node key itself, acceptable to the registry.
            TpmtPublic ak = TpmtPublic.parse(first.akPublic());
            AkPolicy.check(ak);
            assertThat(first.akPublic()).isNotEqualTo(tpm.akPublic());
            CertifyVerifier.verify(ak, TpmtPublic.parse(first.nodeKeyPublic()), first.certifyAttest(),
                    first.certifySignature(), null);
            assertQuoteVerifies(sidecar, first);
        }

        try (NodeTpm restarted = open(tpm, config)) {
            assertSameIdentity(restarted.identity(), first);
            assertQuoteVerifies(restarted, first);

            long resetsBefore = restarted.probe().clockInfo.resetCount;
            restarted.disconnect(); // swtpm serves one client at a time; tpm2_startup needs the port
            SwtpmTools.reset(tpm);
            assertThat(restarted.probe().clockInfo.resetCount).isEqualTo(resetsBefore + 1);
            // The running sidecar notices the reset PCR and measures again before quoting.
            assertQuoteVerifies(restarted, first);
        }
        try (NodeTpm afterReset = open(tpm, config)) {
            assertSameIdentity(afterReset.identity(), first);
            assertQuoteVerifies(afterReset, first);
            assertThat(EcVrf.verify(first.vrfPublicKey(), afterReset.vrfProve(new byte[] {1}).proof(), new byte[] {1}))
                    .hasSize(EcVrf.OUTPUT_LEN);
        }
        assertThat(config.stateDir().resolve("vrf-key.sealed")).isNotEmptyFile();
    }

    @Test
    void createsAnRsaAkWhenConfiguredAndItsEvidenceVerifies() throws Exception {
        ProvisionedTpm tpm = fixture.tpm(1);
        NodeTpmConfig base = config(tpm, work.resolve("state-rsa"));
        NodeTpmConfig config = new NodeTpmConfig(base.ekHandle(), base.ekCertNvIndex(), 0x81010004, 0x81000012,
                AkAlgorithm.RSA, List.of(), base.stateDir(), base.chainId(), base.endpoint(), 15, List.of());
        try (NodeTpm sidecar = open(tpm, config)) {
            SidecarIdentity id = sidecar.identity();
            TpmtPublic ak = TpmtPublic.parse(id.akPublic());
            assertThat(ak.type()).isEqualTo(TpmAlg.RSA);
            AkPolicy.check(ak);
            CertifyVerifier.verify(ak, TpmtPublic.parse(id.nodeKeyPublic()), id.certifyAttest(), id.certifySignature(),
                    null);

            CredentialActivation.Challenge challenge =
                    CredentialActivation.make(TpmtPublic.parse(id.ekPublic()), id.akName(), RANDOM);
            assertThat(sidecar.activateCredential(challenge.idObject(), challenge.encryptedSecret()))
                    .isEqualTo(challenge.secret());

            byte[] nonce = new byte[20];
            RANDOM.nextBytes(nonce);
            // PCRs nobody extends: the empty log (nothing configured) replays to their reset values.
            QuoteEvidence q = sidecar.quote(nonce, List.of(0, 16));
            new QuoteVerifier(true).verify(ak, null, nonce,
                    List.of(new PcrSelection(TpmAlg.SHA256, NodeTpm.selection(List.of(0, 16)))), q.attest(),
                    q.signature(), q.measurementLog(), d -> false, null);
            assertThat(SwtpmTools.checkquote(work, id.akPublic(), q, nonce)).isTrue();
        }
    }

    private static void assertQuoteVerifies(NodeTpm sidecar, SidecarIdentity id) throws Exception {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        QuoteEvidence q = sidecar.quote(nonce, List.of(15));
        Set<String> approved = approved(sidecar.measuredComponents());
        new QuoteVerifier(true).verify(TpmtPublic.parse(id.akPublic()), null, nonce,
                List.of(new PcrSelection(TpmAlg.SHA256, NodeTpm.selection(List.of(15)))), q.attest(), q.signature(),
                q.measurementLog(), d -> approved.contains(java.util.HexFormat.of().formatHex(d)), null);
    }

    private static void assertSameIdentity(SidecarIdentity actual, SidecarIdentity expected) {
        assertThat(actual.ekCertificate()).isEqualTo(expected.ekCertificate());
        assertThat(actual.ekPublic()).isEqualTo(expected.ekPublic());
        assertThat(actual.akPublic()).isEqualTo(expected.akPublic());
        assertThat(actual.nodeKeyPublic()).isEqualTo(expected.nodeKeyPublic());
        assertThat(actual.certifyAttest()).isEqualTo(expected.certifyAttest());
        assertThat(actual.certifySignature()).isEqualTo(expected.certifySignature());
        assertThat(actual.vrfPublicKey()).isEqualTo(expected.vrfPublicKey());
        assertThat(actual.vrfKeySignature()).isEqualTo(expected.vrfKeySignature());
        assertThat(actual.hsmId()).isEqualTo(expected.hsmId());
    }

    private static Set<String> approved(List<MeasurementLog.Entry> entries) {
        Set<String> out = new HashSet<>();
        entries.forEach(e -> out.add(java.util.HexFormat.of().formatHex(e.sha256())));
        return out;
    }
}
