package dev.teeledger.protocol.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Fuzzes {@link SmtProof#decode}: any input either parses and re-encodes identically, or fails typed. */
class SmtProofDecodePropertyTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Property(tries = 2000)
    void decodeOfRandomBytesFailsCleanly(@ForAll @Size(max = 400) byte[] data) {
        try {
            SmtProof proof = SmtProof.decode(data);
            assertThat(proof.encode()).isEqualTo(data);
        } catch (ProofException expected) {
            assertThat(expected.reason()).isNotNull();
        }
    }

    @Property(tries = 300)
    void decodeOfMutatedProofsFailsCleanlyOrReencodesIdentically(
            @ForAll("proofBytes") byte[] enc, @ForAll int position, @ForAll byte replacement) {
        byte[] bad = enc.clone();
        bad[Math.floorMod(position, bad.length)] = replacement;
        try {
            assertThat(SmtProof.decode(bad).encode()).isEqualTo(bad);
        } catch (ProofException expected) {
            assertThat(expected.reason()).isNotNull();
        }
    }

    @Provide
    Arbitrary<byte[]> proofBytes() {
        Map<byte[], byte[]> kv = new LinkedHashMap<>();
        for (int i = 0; i < 64; i++) {
            kv.put(b("key-" + i), b("value-" + i));
        }
        ReferenceSmt smt = new ReferenceSmt(kv);
        return Arbitraries.integers().between(0, 200)
                .map(i -> smt.prove(b((i % 2 == 0 ? "key-" : "absent-") + i)).encode());
    }
}
