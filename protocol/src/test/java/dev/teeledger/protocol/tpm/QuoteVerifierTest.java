package dev.teeledger.protocol.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.protocol.tpm.MeasurementLog.Entry;
import dev.teeledger.protocol.tpm.MeasurementLog.Kind;
import dev.teeledger.protocol.tpm.QuoteVerifier.VerifiedQuote;
import dev.teeledger.protocol.tpm.TpmEvidenceException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * QuoteVerifier against the quote captured by capture-quote.sh: PCR 16 extended with the three
 * digests of {@link #LOG}, quoted over sha256:16,17,23 by TPM "c"'s RSA AK.
 */
class QuoteVerifierTest {

    static final byte[] NONCE = HexFormat.of().parseHex(
            "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
    /** sha256:16,17,23 as tpm2_quote encodes it (3-byte bitmap). */
    static final List<PcrSelection> SELECTION = List.of(new PcrSelection(TpmAlg.SHA256, new byte[] {0, 0, (byte) 0x83}));
    static final List<Entry> LOG = List.of(
            entry(Kind.FIRMWARE, "firmware:hsm-fw-1.0"),
            entry(Kind.WASM, "wasm:policy-v1"),
            entry(Kind.WASM, "wasm:scorer-v2"));
    static final FirmwareAllowList ALL_APPROVED = h -> LOG.stream().anyMatch(e -> Arrays.equals(e.sha256(), h));

    private final QuoteVerifier verifier = new QuoteVerifier(true);

    static Entry entry(Kind kind, String label) {
        return new Entry(16, kind, sha256(label), label);
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private VerifiedQuote verify(TpmtPublic ak, byte[] nonce, List<PcrSelection> sel, byte[] attest, byte[] sig,
            byte[] log, FirmwareAllowList allow, ClockInfo last) throws TpmEvidenceException {
        return verifier.verify(ak, null, nonce, sel, attest, sig, log, allow, last);
    }

    private VerifiedQuote genuine(byte[] log, FirmwareAllowList allow, ClockInfo last) throws TpmEvidenceException {
        return verify(Captured.pub("c-ak.pub"), NONCE, SELECTION, Captured.bytes("c-quote.attest"),
                Captured.bytes("c-quote.sig"), log, allow, last);
    }

    private static void expect(Reason reason, ThrowingRun run) {
        assertThatThrownBy(run::run).isInstanceOf(TpmEvidenceException.class)
                .satisfies(e -> assertThat(((TpmEvidenceException) e).reason()).isEqualTo(reason));
    }

    interface ThrowingRun {
        void run() throws Exception;
    }

    @Test
    void verifiesGenuineMeasuredQuote() throws Exception {
        VerifiedQuote q = genuine(MeasurementLog.of(LOG).encode(), ALL_APPROVED, null);
        assertThat(q.log().entries()).isEqualTo(LOG);
        assertThat(q.statement().extraData()).isEqualTo(NONCE);
        assertThat(q.clockInfo()).isEqualTo(ClockInfo.of(q.statement()));
        // Replay matches the PCR value tpm2_pcrread printed at capture time.
        assertThat(HexFormat.of().formatHex(MeasurementLog.of(LOG).replay()[16]))
                .isEqualTo("1b1d48860e33cf2f3e73fb539a5a55153d506d6a88e66c6e75b641b946952d75");
    }

    @Test
    void acceptsMatchingQualifiedSignerAndRejectsAnother() throws Exception {
        TpmsAttest s = TpmsAttest.parse(Captured.bytes("c-quote.attest"));
        byte[] log = MeasurementLog.of(LOG).encode();
        verifier.verify(Captured.pub("c-ak.pub"), s.qualifiedSigner(), NONCE, SELECTION, Captured.bytes("c-quote.attest"),
                Captured.bytes("c-quote.sig"), log, ALL_APPROVED, null);
        byte[] other = s.qualifiedSigner();
        other[other.length - 1] ^= 1;
        expect(Reason.WRONG_SIGNER, () -> verifier.verify(Captured.pub("c-ak.pub"), other, NONCE, SELECTION,
                Captured.bytes("c-quote.attest"), Captured.bytes("c-quote.sig"), log, ALL_APPROVED, null));
    }

    @Test
    void rejectsOtherNonce() {
        byte[] nonce = NONCE.clone();
        nonce[0] ^= 1;
        expect(Reason.NONCE_MISMATCH, () -> verify(Captured.pub("c-ak.pub"), nonce, SELECTION,
                Captured.bytes("c-quote.attest"), Captured.bytes("c-quote.sig"), MeasurementLog.of(LOG).encode(),
                ALL_APPROVED, null));
    }

    @Test
    void rejectsLogWithChangedEntryDigest() {
        List<Entry> changed = new ArrayList<>(LOG);
        changed.set(1, entry(Kind.WASM, "wasm:policy-v2"));
        FirmwareAllowList any = h -> true;
        expect(Reason.PCR_DIGEST_MISMATCH, () -> genuine(MeasurementLog.of(changed).encode(), any, null));
    }

    @Test
    void rejectsLogWithReorderedDroppedOrRelabelledPcrEntries() {
        List<Entry> swapped = List.of(LOG.get(1), LOG.get(0), LOG.get(2));
        expect(Reason.PCR_DIGEST_MISMATCH, () -> genuine(MeasurementLog.of(swapped).encode(), ALL_APPROVED, null));
        expect(Reason.PCR_DIGEST_MISMATCH, () -> genuine(MeasurementLog.of(LOG.subList(0, 2)).encode(), ALL_APPROVED, null));
        expect(Reason.PCR_DIGEST_MISMATCH, () -> genuine(MeasurementLog.of(List.of()).encode(), ALL_APPROVED, null));
        // The same digest claimed for quoted PCR 23 instead of 16.
        List<Entry> moved = List.of(LOG.get(0), LOG.get(1), new Entry(23, Kind.WASM, LOG.get(2).sha256(), "x"));
        expect(Reason.PCR_DIGEST_MISMATCH, () -> genuine(MeasurementLog.of(moved).encode(), ALL_APPROVED, null));
        // A measurement into an unquoted PCR is not covered by the signature.
        List<Entry> extra = new ArrayList<>(LOG);
        extra.add(new Entry(10, Kind.WASM, LOG.get(0).sha256(), "hidden"));
        expect(Reason.UNQUOTED_MEASUREMENT, () -> genuine(MeasurementLog.of(extra).encode(), ALL_APPROVED, null));
    }

    @Test
    void rejectsCorruptLogBytes() {
        byte[] log = MeasurementLog.of(LOG).encode();
        expect(Reason.LOG_MALFORMED, () -> genuine(Arrays.copyOf(log, log.length - 1), ALL_APPROVED, null));
        expect(Reason.LOG_MALFORMED, () -> genuine(Arrays.copyOf(log, log.length + 1), ALL_APPROVED, null));
        byte[] kind = log.clone();
        kind[9] = 7;
        expect(Reason.LOG_MALFORMED, () -> genuine(kind, ALL_APPROVED, null));
        byte[] pcr = log.clone();
        pcr[8] = 24;
        expect(Reason.LOG_MALFORMED, () -> genuine(pcr, ALL_APPROVED, null));
        byte[] digest = log.clone();
        digest[20] ^= 1;
        expect(Reason.PCR_DIGEST_MISMATCH, () -> genuine(digest, h -> true, null));
    }

    @Test
    void rejectsComponentNotOnAllowList() {
        byte[] unapproved = LOG.get(2).sha256();
        FirmwareAllowList allow = h -> !Arrays.equals(h, unapproved);
        expect(Reason.FIRMWARE_NOT_APPROVED, () -> genuine(MeasurementLog.of(LOG).encode(), allow, null));
    }

    @Test
    void rejectsAlteredAttestAndSignature() {
        byte[] log = MeasurementLog.of(LOG).encode();
        byte[] attest = Captured.bytes("c-quote.attest");
        attest[attest.length - 1] ^= 1; // last byte of pcrDigest
        expect(Reason.BAD_SIGNATURE, () -> verify(Captured.pub("c-ak.pub"), NONCE, SELECTION, attest,
                Captured.bytes("c-quote.sig"), log, ALL_APPROVED, null));
        byte[] sig = Captured.bytes("c-quote.sig");
        sig[sig.length - 1] ^= 1;
        expect(Reason.BAD_SIGNATURE, () -> verify(Captured.pub("c-ak.pub"), NONCE, SELECTION,
                Captured.bytes("c-quote.attest"), sig, log, ALL_APPROVED, null));
        expect(Reason.MALFORMED, () -> verify(Captured.pub("c-ak.pub"), NONCE, SELECTION,
                Arrays.copyOf(Captured.bytes("c-quote.attest"), 20), Captured.bytes("c-quote.sig"), log,
                ALL_APPROVED, null));
    }

    @Test
    void rejectsQuoteCheckedWithAnotherTpmsAk() {
        // TPM "a" has an RSA AK of the same template: the signature does not verify with it.
        expect(Reason.BAD_SIGNATURE, () -> verify(Captured.pub("a-ak.pub"), NONCE, SELECTION,
                Captured.bytes("c-quote.attest"), Captured.bytes("c-quote.sig"), MeasurementLog.of(LOG).encode(),
                ALL_APPROVED, null));
        // TPM "b" has an ECC AK: an RSA signature cannot be its.
        expect(Reason.SCHEME_MISMATCH, () -> verify(Captured.pub("b-ak.pub"), NONCE, SELECTION,
                Captured.bytes("c-quote.attest"), Captured.bytes("c-quote.sig"), MeasurementLog.of(LOG).encode(),
                ALL_APPROVED, null));
    }

    @Test
    void rejectsCertifyAttestationOfferedAsQuote() {
        expect(Reason.WRONG_ATTEST_TYPE, () -> verify(Captured.pub("a-ak.pub"), NONCE, SELECTION,
                Captured.bytes("a-certify.attest"), Captured.bytes("a-certify.sig"), MeasurementLog.of(LOG).encode(),
                ALL_APPROVED, null));
    }

    @Test
    void rejectsOtherPcrSelection() {
        List<PcrSelection> fewer = List.of(new PcrSelection(TpmAlg.SHA256, new byte[] {0, 0, (byte) 0x81}));
        expect(Reason.PCR_SELECTION_MISMATCH, () -> verify(Captured.pub("c-ak.pub"), NONCE, fewer,
                Captured.bytes("c-quote.attest"), Captured.bytes("c-quote.sig"), MeasurementLog.of(LOG).encode(),
                ALL_APPROVED, null));
        // The older capture quoted sha256:0,1,2,3,7 (all zero, no log) with another nonce and AK.
        List<PcrSelection> legacy = List.of(new PcrSelection(TpmAlg.SHA256, new byte[] {(byte) 0x8f, 0, 0}));
        expect(Reason.PCR_SELECTION_MISMATCH, () -> verify(Captured.pub("a-ak.pub"), Captured.QUOTE_NONCE, SELECTION,
                Captured.bytes("a-quote.attest"), Captured.bytes("a-quote.sig"), MeasurementLog.of(List.of()).encode(),
                ALL_APPROVED, null));
        // ... and with the right selection and an empty log, zeros replay to its digest.
        org.assertj.core.api.Assertions.assertThatCode(() -> verify(Captured.pub("a-ak.pub"), Captured.QUOTE_NONCE,
                legacy, Captured.bytes("a-quote.attest"), Captured.bytes("a-quote.sig"),
                MeasurementLog.of(List.of()).encode(), ALL_APPROVED, null)).doesNotThrowAnyException();
    }

    @Test
    void rejectsCounterRollback() throws Exception {
        TpmsAttest s = TpmsAttest.parse(Captured.bytes("c-quote.attest"));
        byte[] log = MeasurementLog.of(LOG).encode();
        long reset = s.resetCount();
        long restart = s.restartCount();
        long clock = s.clock();
        // Equal or earlier counters are fine.
        genuine(log, ALL_APPROVED, new ClockInfo(reset, restart, clock));
        genuine(log, ALL_APPROVED, new ClockInfo(reset, restart, clock - 1));
        if (reset > 0) {
            genuine(log, ALL_APPROVED, new ClockInfo(reset - 1, restart + 5, clock + 1000));
        }
        expect(Reason.COUNTER_ROLLBACK, () -> genuine(log, ALL_APPROVED, new ClockInfo(reset + 1, 0, 0)));
        expect(Reason.COUNTER_ROLLBACK, () -> genuine(log, ALL_APPROVED, new ClockInfo(reset, restart + 1, 0)));
        expect(Reason.COUNTER_ROLLBACK, () -> genuine(log, ALL_APPROVED, new ClockInfo(reset, restart, clock + 1)));
    }

    @Test
    void clockInfoOrdersResetsBeforeRestartsAndClock() {
        ClockInfo last = new ClockInfo(5, 3, 1000);
        assertThat(last.isRolledBackBy(new ClockInfo(6, 0, 0))).isFalse();
        assertThat(last.isRolledBackBy(new ClockInfo(4, 9, 9999))).isTrue();
        assertThat(last.isRolledBackBy(new ClockInfo(5, 2, 9999))).isTrue();
        assertThat(last.isRolledBackBy(new ClockInfo(5, 3, 999))).isTrue();
        assertThat(last.isRolledBackBy(new ClockInfo(5, 4, 1000))).isFalse();
    }

    static java.util.stream.LongStream seeds() {
        return java.util.stream.LongStream.range(0, 300);
    }

    /**
     * Mutated evidence is refused with a typed reason; it is accepted only when the mutation hit
     * an entry's kind or name, the unauthenticated labels (the quote covers PCR and digest only).
     * A failing seed reproduces.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("seeds")
    void mutatedEvidenceFailsOnlyWithTypedReasons(long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        byte[][] parts = {Captured.bytes("c-quote.attest"), Captured.bytes("c-quote.sig"), MeasurementLog.of(LOG).encode()};
        int which = rnd.nextInt(3);
        byte[] p = parts[which];
        switch (rnd.nextInt(3)) {
            case 0 -> p[rnd.nextInt(p.length)] ^= (byte) (1 << rnd.nextInt(8));
            case 1 -> p = Arrays.copyOf(p, rnd.nextInt(p.length));
            default -> p = Arrays.copyOf(p, p.length + 1 + rnd.nextInt(8));
        }
        parts[which] = p;
        try {
            VerifiedQuote q = verify(Captured.pub("c-ak.pub"), NONCE, SELECTION, parts[0], parts[1], parts[2],
                    ALL_APPROVED, null);
            assertThat(which).as("seed " + seed + ": only log labels may change").isEqualTo(2);
            assertThat(q.log().entries()).hasSameSizeAs(LOG);
            for (int i = 0; i < LOG.size(); i++) {
                assertThat(q.log().entries().get(i).pcr()).isEqualTo(LOG.get(i).pcr());
                assertThat(q.log().entries().get(i).sha256()).isEqualTo(LOG.get(i).sha256());
            }
        } catch (TpmEvidenceException expected) {
            assertThat(expected.reason()).isNotNull();
        } catch (Throwable t) {
            org.assertj.core.api.Assertions.fail("seed " + seed + ": " + t, t);
        }
    }

    @Test
    void refusesShortNonceFromCaller() {
        assertThatThrownBy(() -> genuineWithNonce(new byte[15])).isInstanceOf(IllegalArgumentException.class);
    }

    private void genuineWithNonce(byte[] nonce) throws TpmEvidenceException {
        verify(Captured.pub("c-ak.pub"), nonce, SELECTION, Captured.bytes("c-quote.attest"), Captured.bytes("c-quote.sig"),
                MeasurementLog.of(LOG).encode(), ALL_APPROVED, null);
    }

    @Test
    void genuineQuoteIsSafe() throws Exception {
        assertThat(TpmsAttest.parse(Captured.bytes("c-quote.attest")).safe()).isTrue();
    }
}
