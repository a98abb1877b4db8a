package dev.teeledger.protocol.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.protocol.merkle.ProofException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmtProofTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<byte[], byte[]> sample(int n) {
        Map<byte[], byte[]> kv = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            kv.put(b("key-" + i), b("value-" + i));
        }
        return kv;
    }

    @Test
    void hashesFollowTheDocumentedFormat() {
        // SHA-256("") is the FIPS 180-2 / NIST vector e3b0c442...; leaf and inner prefixes are
        // checked against independently computed digests of the concatenations.
        assertThat(HexFormat.of().formatHex(SmtHash.valueHash(new byte[0])))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        byte[] kh = SmtHash.keyHash(b("k"));
        byte[] vh = SmtHash.valueHash(b("v"));
        byte[] concat = new byte[65];
        System.arraycopy(kh, 0, concat, 1, 32);
        System.arraycopy(vh, 0, concat, 33, 32);
        assertThat(SmtHash.leaf(kh, vh)).isEqualTo(SmtHash.keyHash(concat));
        concat[0] = 1;
        assertThat(SmtHash.inner(kh, vh)).isEqualTo(SmtHash.keyHash(concat));
        assertThat(new ReferenceSmt(Map.of()).root()).isEqualTo(new byte[32]);
    }

    @Test
    void singleLeafTreeRootIsTheLeafHash() throws Exception {
        Map<byte[], byte[]> kv = Map.of(b("only"), b("one"));
        byte[] root = new ReferenceSmt(kv).root();
        assertThat(root).isEqualTo(SmtHash.leaf(SmtHash.keyHash(b("only")), SmtHash.valueHash(b("one"))));
        SmtProof proof = new ReferenceSmt(kv).prove(b("only"));
        assertThat(proof.depth()).isZero();
        proof.verify(root, b("only"), b("one"));
    }

    @Test
    void presenceProofsVerifyForEveryKey() throws Exception {
        Map<byte[], byte[]> kv = sample(200);
        ReferenceSmt smt = new ReferenceSmt(kv);
        byte[] root = smt.root();
        for (Map.Entry<byte[], byte[]> e : kv.entrySet()) {
            SmtProof proof = SmtProof.decode(smt.prove(e.getKey()).encode());
            assertThat(proof.provesPresence()).isTrue();
            proof.verify(root, e.getKey(), e.getValue());
        }
    }

    @Test
    void absenceProofsVerifyWithEmptyAndOtherLeafTerminals() throws Exception {
        Map<byte[], byte[]> kv = sample(50);
        ReferenceSmt smt = new ReferenceSmt(kv);
        byte[] root = smt.root();
        int empty = 0;
        int other = 0;
        for (int i = 0; i < 300; i++) {
            byte[] key = b("absent-" + i);
            SmtProof proof = SmtProof.decode(smt.prove(key).encode());
            proof.verify(root, key, null);
            if (proof.terminal() == SmtProof.Terminal.EMPTY) {
                empty++;
            } else {
                assertThat(proof.terminal()).isEqualTo(SmtProof.Terminal.OTHER_LEAF);
                other++;
            }
        }
        assertThat(empty).isPositive();
        assertThat(other).isPositive();
    }

    @Test
    void emptyTreeProvesAbsenceAtDepthZero() throws Exception {
        SmtProof proof = new ReferenceSmt(Map.of()).prove(b("x"));
        assertThat(proof.encode()).hasSize(36);
        proof.verify(new byte[32], b("x"), null);
    }

    @Test
    void rejectsTamperedValue() throws Exception {
        Map<byte[], byte[]> kv = sample(20);
        ReferenceSmt smt = new ReferenceSmt(kv);
        SmtProof proof = smt.prove(b("key-3"));
        assertThatThrownBy(() -> proof.verify(smt.root(), b("key-3"), b("value-4")))
                .isInstanceOf(ProofException.class)
                .extracting(e -> ((ProofException) e).reason()).isEqualTo(Reason.ROOT_MISMATCH);
    }

    @Test
    void rejectsProofUsedForAnotherKey() throws Exception {
        Map<byte[], byte[]> kv = sample(20);
        ReferenceSmt smt = new ReferenceSmt(kv);
        SmtProof proof = smt.prove(b("key-3"));
        assertThatThrownBy(() -> proof.verify(smt.root(), b("key-4"), b("value-4")))
                .isInstanceOf(ProofException.class);
    }

    @Test
    void rejectsEveryFlippedBitOfTheProof() throws Exception {
        Map<byte[], byte[]> kv = sample(30);
        ReferenceSmt smt = new ReferenceSmt(kv);
        byte[] root = smt.root();
        byte[] enc = smt.prove(b("key-7")).encode();
        for (int bit = 0; bit < enc.length * 8; bit++) {
            byte[] bad = enc.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> SmtProof.decode(bad).verify(root, b("key-7"), b("value-7")))
                    .as("bit %d", bit).isInstanceOf(ProofException.class);
        }
    }

    @Test
    void rejectsPresenceProofUsedForAbsence() throws Exception {
        ReferenceSmt smt = new ReferenceSmt(sample(5));
        SmtProof proof = smt.prove(b("key-1"));
        assertThatThrownBy(() -> proof.computeRoot(b("key-1"), null))
                .isInstanceOf(ProofException.class)
                .extracting(e -> ((ProofException) e).reason()).isEqualTo(Reason.WRONG_KIND);
    }

    @Test
    void rejectsAbsenceProofUsedForPresence() throws Exception {
        ReferenceSmt smt = new ReferenceSmt(sample(5));
        SmtProof proof = smt.prove(b("nope"));
        assertThatThrownBy(() -> proof.computeRoot(b("nope"), b("v")))
                .isInstanceOf(ProofException.class)
                .extracting(e -> ((ProofException) e).reason()).isEqualTo(Reason.WRONG_KIND);
    }

    @Test
    void rejectsOtherLeafProofForTheLeafsOwnKey() throws Exception {
        Map<byte[], byte[]> kv = sample(8);
        ReferenceSmt smt = new ReferenceSmt(kv);
        for (int i = 0; i < 100; i++) {
            SmtProof proof = smt.prove(b("absent-" + i));
            if (proof.terminal() != SmtProof.Terminal.OTHER_LEAF) {
                continue;
            }
            // The other leaf belongs to some present key: using the proof for that key fails.
            for (byte[] k : kv.keySet()) {
                try {
                    proof.verify(smt.root(), k, null);
                    throw new AssertionError("absence of a present key was accepted");
                } catch (ProofException expected) {
                    assertThat(expected.reason()).isIn(Reason.KEY_MISMATCH, Reason.ROOT_MISMATCH);
                }
            }
            return;
        }
        throw new AssertionError("no other-leaf proof found");
    }

    @Test
    void rejectsTruncatedProof() throws Exception {
        byte[] enc = new ReferenceSmt(sample(40)).prove(b("key-1")).encode();
        for (int len = 0; len < enc.length; len++) {
            byte[] cut = Arrays.copyOf(enc, len);
            assertThatThrownBy(() -> SmtProof.decode(cut))
                    .isInstanceOf(ProofException.class)
                    .extracting(e -> ((ProofException) e).reason())
                    .isIn(Reason.TRUNCATED, Reason.MALFORMED);
        }
    }

    @Test
    void rejectsTrailingBytesAndOversizedInput() {
        byte[] enc = new ReferenceSmt(sample(40)).prove(b("key-1")).encode();
        byte[] longer = Arrays.copyOf(enc, enc.length + 1);
        assertThatThrownBy(() -> SmtProof.decode(longer))
                .extracting(e -> ((ProofException) e).reason()).isEqualTo(Reason.OVERSIZED);
        byte[] huge = new byte[SmtProof.MAX_ENCODED_LENGTH + 1];
        huge[0] = 1;
        assertThatThrownBy(() -> SmtProof.decode(huge))
                .extracting(e -> ((ProofException) e).reason()).isEqualTo(Reason.OVERSIZED);
    }

    @Test
    void rejectsUnknownFormatTerminalAndDepth() {
        byte[] enc = new ReferenceSmt(sample(3)).prove(b("key-1")).encode();
        byte[] format = enc.clone();
        format[0] = 2;
        assertThatThrownBy(() -> SmtProof.decode(format))
                .extracting(e -> ((ProofException) e).reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT);
        byte[] terminal = enc.clone();
        terminal[1] = 3;
        assertThatThrownBy(() -> SmtProof.decode(terminal))
                .extracting(e -> ((ProofException) e).reason()).isEqualTo(Reason.MALFORMED);
        byte[] depth = enc.clone();
        depth[2] = 1;
        depth[3] = 1; // 257
        assertThatThrownBy(() -> SmtProof.decode(depth))
                .extracting(e -> ((ProofException) e).reason()).isEqualTo(Reason.MALFORMED);
        assertThatThrownBy(() -> SmtProof.decode(null))
                .extracting(e -> ((ProofException) e).reason()).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void rejectsBitmapBitsBeyondDepth() {
        byte[] enc = new ReferenceSmt(sample(3)).prove(b("key-1")).encode();
        byte[] bad = enc.clone();
        bad[4 + 31] |= 1; // level 255, far beyond the depth of a 3-key tree
        assertThatThrownBy(() -> SmtProof.decode(bad))
                .extracting(e -> ((ProofException) e).reason()).isEqualTo(Reason.MALFORMED);
    }
}
