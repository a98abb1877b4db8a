package dev.teeledger.protocol.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Fuzzes {@link SmtProof#decode}: any input either parses and re-encodes identically, or fails typed. */
class SmtProofDecodePropertyTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static LongStream seeds() {
        return LongStream.range(0, 1000);
    }

    /** Seeded random inputs; the seed in the test name reproduces a failure. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void decodeOfRandomBytesFailsCleanly(long seed) {
        Random r = new Random(seed);
        byte[] data = new byte[r.nextInt(401)];
        r.nextBytes(data);
        try {
            SmtProof proof = SmtProof.decode(data);
            assertThat(proof.encode()).isEqualTo(data);
        } catch (ProofException expected) {
            assertThat(expected.reason()).isNotNull();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void decodeOfMutatedProofsFailsCleanlyOrReencodesIdentically(long seed) {
        Random r = new Random(seed);
        int i = r.nextInt(201);
        byte[] enc = SMT.prove(b((i % 2 == 0 ? "key-" : "absent-") + i)).encode();
        int position = r.nextInt();
        byte replacement = (byte) r.nextInt(256);
        byte[] bad = enc.clone();
        bad[Math.floorMod(position, bad.length)] = replacement;
        try {
            assertThat(SmtProof.decode(bad).encode()).isEqualTo(bad);
        } catch (ProofException expected) {
            assertThat(expected.reason()).isNotNull();
        }
    }

    private static final ReferenceSmt SMT = referenceTree();

    private static ReferenceSmt referenceTree() {
        Map<byte[], byte[]> kv = new LinkedHashMap<>();
        for (int i = 0; i < 64; i++) {
            kv.put(b("key-" + i), b("value-" + i));
        }
        return new ReferenceSmt(kv);
    }
}
