package dev.teeledger.testkit.swtpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.protocol.tpm.ClockInfo;
import dev.teeledger.protocol.tpm.CredentialActivation;
import dev.teeledger.protocol.tpm.CredentialActivation.Challenge;
import dev.teeledger.protocol.tpm.FirmwareAllowList;
import dev.teeledger.protocol.tpm.MeasurementLog;
import dev.teeledger.protocol.tpm.MeasurementLog.Entry;
import dev.teeledger.protocol.tpm.MeasurementLog.Kind;
import dev.teeledger.protocol.tpm.PcrSelection;
import dev.teeledger.protocol.tpm.QuoteVerifier;
import dev.teeledger.protocol.tpm.QuoteVerifier.VerifiedQuote;
import dev.teeledger.protocol.tpm.TpmAlg;
import dev.teeledger.protocol.tpm.TpmEvidenceException;
import dev.teeledger.protocol.tpm.TpmEvidenceException.Reason;
import dev.teeledger.testkit.swtpm.SwtpmFixture.AkAlgorithm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * QuoteVerifier and CredentialActivation against real swtpm: PCR 16 extended per a project
 * measurement log with tpm2_pcrextend, quoted with tpm2_quote, judged by our verifier and by
 * tpm2_checkquote; MakeCredential in Java answered by tpm2_activatecredential under the EK's
 * PolicySecret(TPM_RH_ENDORSEMENT) session.
 */
class SwtpmQuoteCredentialIT {

    private static final String SELECTION_TEXT = "sha256:16,23";
    private static final List<PcrSelection> SELECTION =
            List.of(new PcrSelection(TpmAlg.SHA256, new byte[] {0, 0, (byte) 0x81}));

    private static SwtpmFixture fixture;
    private static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void provision() {
        fixture = SwtpmFixture.start(AkAlgorithm.RSA, AkAlgorithm.RSA);
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static Entry entry(Kind kind, String label) throws Exception {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(label.getBytes(StandardCharsets.UTF_8));
        return new Entry(16, kind, d, label);
    }

    private static byte[] nonce() {
        byte[] n = new byte[32];
        RANDOM.nextBytes(n);
        return n;
    }

    /** Runs a tpm2-tools command against {@code tpm} in {@code dir}; returns the exit code. */
    private static int tool(ProvisionedTpm tpm, Path dir, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(cmd[0] + ".log").toFile());
        pb.environment().put("TPM2TOOLS_TCTI", tpm.tcti());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(cmd[0] + " timed out");
        }
        return p.exitValue();
    }

    private static void extend(ProvisionedTpm tpm, Entry e) throws Exception {
        Path dir = Files.createTempDirectory(tpm.dir(), "extend");
        int rc = tool(tpm, dir, "tpm2_pcrextend", e.pcr() + ":sha256=" + HexFormat.of().formatHex(e.sha256()));
        assertThat(rc).as("tpm2_pcrextend").isZero();
    }

    private static void expect(Reason reason, ThrowingRun run) {
        assertThatThrownBy(run::run).isInstanceOf(TpmEvidenceException.class)
                .satisfies(e -> assertThat(((TpmEvidenceException) e).reason()).isEqualTo(reason));
    }

    interface ThrowingRun {
        void run() throws Exception;
    }

    @Test
    void measuredQuoteVerifiesAndAgreesWithCheckquote() throws Exception {
        ProvisionedTpm tpm = fixture.tpm(0);
        List<Entry> log = new ArrayList<>(List.of(entry(Kind.FIRMWARE, "hsm-fw-1.0"), entry(Kind.WASM, "policy.wasm")));
        for (Entry e : log) {
            extend(tpm, e);
        }
        FirmwareAllowList allow = h -> true;
        QuoteVerifier verifier = new QuoteVerifier(true);
        byte[] nonce = nonce();
        TpmQuote q = fixture.quote(tpm, nonce, SELECTION_TEXT);
        byte[] encoded = MeasurementLog.of(log).encode();
        VerifiedQuote first = verifier.verify(tpm.ak(), null, nonce, SELECTION, q.attest(), q.signature(), encoded,
                allow, null);
        assertThat(fixture.checkQuote(tpm, q.attest(), q.signature(), q.pcrs(), nonce)).isTrue();

        // Wrong nonce: both refuse.
        byte[] other = nonce();
        expect(Reason.NONCE_MISMATCH, () -> verifier.verify(tpm.ak(), null, other, SELECTION, q.attest(),
                q.signature(), encoded, allow, null));
        assertThat(fixture.checkQuote(tpm, q.attest(), q.signature(), q.pcrs(), other)).isFalse();
        // Altered pcrDigest (last byte of the attestation): both refuse.
        byte[] tampered = q.attest();
        tampered[tampered.length - 1] ^= 1;
        expect(Reason.BAD_SIGNATURE, () -> verifier.verify(tpm.ak(), null, nonce, SELECTION, tampered,
                q.signature(), encoded, allow, null));
        assertThat(fixture.checkQuote(tpm, tampered, q.signature(), q.pcrs(), nonce)).isFalse();
        // Altered signature: both refuse.
        byte[] badSig = q.signature();
        badSig[badSig.length - 1] ^= 1;
        expect(Reason.BAD_SIGNATURE, () -> verifier.verify(tpm.ak(), null, nonce, SELECTION, q.attest(),
                badSig, encoded, allow, null));
        assertThat(fixture.checkQuote(tpm, q.attest(), badSig, q.pcrs(), nonce)).isFalse();
        // Another TPM's AK: both refuse.
        ProvisionedTpm otherTpm = fixture.tpm(1);
        expect(Reason.BAD_SIGNATURE, () -> verifier.verify(otherTpm.ak(), null, nonce, SELECTION, q.attest(),
                q.signature(), encoded, allow, null));
        assertThat(fixture.checkQuote(otherTpm, q.attest(), q.signature(), q.pcrs(), nonce)).isFalse();
        // A genuine attestation of another type (the AK's TPM2_Certify of the node key, validly
        // signed by the same AK) presented as a quote: both refuse.
        expect(Reason.WRONG_ATTEST_TYPE, () -> verifier.verify(tpm.ak(), null, nonce, SELECTION, tpm.certifyAttest(),
                tpm.certifySignature(), encoded, allow, null));
        assertThat(fixture.checkQuote(tpm, tpm.certifyAttest(), tpm.certifySignature(), q.pcrs(), nonce)).isFalse();
        // A log whose firmware entry was altered does not replay to the quoted PCR.
        List<Entry> altered = new ArrayList<>(log);
        altered.set(0, entry(Kind.FIRMWARE, "hsm-fw-1.0-patched"));
        expect(Reason.PCR_DIGEST_MISMATCH, () -> verifier.verify(tpm.ak(), null, nonce, SELECTION, q.attest(),
                q.signature(), MeasurementLog.of(altered).encode(), allow, null));
        // A log that omits the WASM module does not replay to the quoted PCR.
        expect(Reason.PCR_DIGEST_MISMATCH, () -> verifier.verify(tpm.ak(), null, nonce, SELECTION, q.attest(),
                q.signature(), MeasurementLog.of(log.subList(0, 1)).encode(), allow, null));
        // The firmware not approved at this height.
        byte[] fw = log.get(0).sha256();
        expect(Reason.FIRMWARE_NOT_APPROVED, () -> verifier.verify(tpm.ak(), null, nonce, SELECTION, q.attest(),
                q.signature(), encoded, h -> !Arrays.equals(h, fw), null));

        // A later measurement and quote: counters move forward from the first quote.
        Entry third = entry(Kind.WASM, "scorer.wasm");
        extend(tpm, third);
        log.add(third);
        byte[] nonce2 = nonce();
        TpmQuote q2 = fixture.quote(tpm, nonce2, SELECTION_TEXT);
        VerifiedQuote second = verifier.verify(tpm.ak(), first.statement().qualifiedSigner(), nonce2, SELECTION,
                q2.attest(), q2.signature(), MeasurementLog.of(log).encode(), allow, first.clockInfo());
        assertThat(fixture.checkQuote(tpm, q2.attest(), q2.signature(), q2.pcrs(), nonce2)).isTrue();
        // Replaying the first quote after the second: the old log still matches it, counters do not.
        expect(Reason.COUNTER_ROLLBACK, () -> verifier.verify(tpm.ak(), null, nonce, SELECTION, q.attest(),
                q.signature(), encoded, allow, second.clockInfo().clock() > first.clockInfo().clock()
                        ? second.clockInfo()
                        : new ClockInfo(second.clockInfo().resetCount(), second.clockInfo().restartCount(),
                                first.clockInfo().clock() + 1)));
        // The old log no longer replays to the new PCR value.
        expect(Reason.PCR_DIGEST_MISMATCH, () -> verifier.verify(tpm.ak(), null, nonce2, SELECTION, q2.attest(),
                q2.signature(), encoded, allow, null));
    }

    private static Path activate(ProvisionedTpm tpm, byte[] credentialFile) throws Exception {
        Path dir = Files.createTempDirectory(tpm.dir(), "activate");
        Files.write(dir.resolve("cred.bin"), credentialFile);
        try {
            assertThat(tool(tpm, dir, "tpm2_startauthsession", "--policy-session", "-S", "s.ctx")).isZero();
            assertThat(tool(tpm, dir, "tpm2_policysecret", "-S", "s.ctx", "-c", "e")).isZero();
            int rc = tool(tpm, dir, "tpm2_activatecredential", "-c", SwtpmFixture.AK_HANDLE, "-C",
                    SwtpmFixture.EK_HANDLE, "-i", "cred.bin", "-o", "act.out", "-P", "session:s.ctx");
            return rc == 0 ? dir.resolve("act.out") : null;
        } finally {
            tool(tpm, dir, "tpm2_flushcontext", "-l");
            tool(tpm, dir, "tpm2_flushcontext", "-t");
        }
    }

    @Test
    void javaMakeCredentialIsActivatedByTheTpmHoldingEkAndAk() throws Exception {
        ProvisionedTpm tpm = fixture.tpm(0);
        Challenge ch = CredentialActivation.make(tpm.ek(), tpm.ak().name(), RANDOM);
        assertThat(ch.binding().ekName()).isEqualTo(tpm.ek().name());
        assertThat(ch.binding().akName()).isEqualTo(tpm.ak().name());
        Path out = activate(tpm, ch.tpm2ToolsFile());
        assertThat(out).as("tpm2_activatecredential succeeded").isNotNull();
        byte[] returned = Files.readAllBytes(out);
        assertThat(returned).isEqualTo(ch.secret());
        assertThat(CredentialActivation.verifySecret(ch.secret(), returned)).isTrue();
    }

    @Test
    void makeCredentialLayoutMatchesTpm2Tools() throws Exception {
        ProvisionedTpm tpm = fixture.tpm(0);
        Path dir = Files.createTempDirectory(tpm.dir(), "mkcred");
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        Files.write(dir.resolve("secret.bin"), secret);
        Files.write(dir.resolve("ek.pub"), tpm2b(tpm.ekPublic()));
        int rc = tool(tpm, dir, "tpm2_makecredential", "-T", "none", "-u", "ek.pub", "-s", "secret.bin",
                "-n", HexFormat.of().formatHex(tpm.ak().name()), "-o", "tools.out");
        assertThat(rc).as("tpm2_makecredential").isZero();
        byte[] tools = Files.readAllBytes(dir.resolve("tools.out"));
        byte[] ours = CredentialActivation.make(tpm.ek(), tpm.ak().name(), secret, RANDOM).tpm2ToolsFile();
        assertThat(ours).hasSameSizeAs(tools);
        assertThat(Arrays.copyOf(ours, 12)).isEqualTo(Arrays.copyOf(tools, 12)); // header, sizes
        // tpm2-tools' own credential activates too (sanity of the session setup).
        Path out = activate(tpm, tools);
        assertThat(out).isNotNull();
        assertThat(Files.readAllBytes(out)).isEqualTo(secret);
    }

    @Test
    void activationFailsForWrongEkOrWrongAkName() throws Exception {
        ProvisionedTpm tpm = fixture.tpm(0);
        ProvisionedTpm other = fixture.tpm(1);
        // Encrypted to another TPM's EK: this TPM cannot recover the seed.
        Challenge wrongEk = CredentialActivation.make(other.ek(), tpm.ak().name(), RANDOM);
        assertThat(activate(tpm, wrongEk.tpm2ToolsFile())).isNull();
        // Bound to another AK's Name: the integrity HMAC fails with this TPM's AK loaded.
        Challenge wrongAk = CredentialActivation.make(tpm.ek(), other.ak().name(), RANDOM);
        assertThat(activate(tpm, wrongAk.tpm2ToolsFile())).isNull();
        // ... and the other TPM (which holds that AK) cannot decrypt under its own EK either.
        assertThat(activate(other, wrongAk.tpm2ToolsFile())).isNull();
        // The genuine challenge still works afterwards (sessions were flushed).
        Challenge ok = CredentialActivation.make(tpm.ek(), tpm.ak().name(), RANDOM);
        Path out = activate(tpm, ok.tpm2ToolsFile());
        assertThat(out).isNotNull();
        assertThat(CredentialActivation.verifySecret(ok.secret(), Files.readAllBytes(out))).isTrue();
        assertThat(CredentialActivation.verifySecret(ok.secret(), wrongAk.secret())).isFalse();
    }

    private static byte[] tpm2b(byte[] content) throws IOException {
        byte[] out = new byte[content.length + 2];
        out[0] = (byte) (content.length >>> 8);
        out[1] = (byte) content.length;
        System.arraycopy(content, 0, out, 2, content.length);
        return out;
    }
}
