package dev.teeledger.protocol.x509;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.teeledger.protocol.tpm.Captured;
import dev.teeledger.protocol.tpm.TpmtPublic;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded fuzzing of EK certificate verification: mutated DER (bit flips, truncation, extension,
 * random bytes) must fail with {@link EkCertificateException} only; a changed certificate may
 * never verify unless its DER is unchanged.
 */
class EkCertificateFuzzTest {

    private static final Instant INSIDE = Instant.parse("2027-06-01T12:00:00Z");

    static LongStream seeds() {
        return LongStream.range(0, 300);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void mutatedCertificatesFailWithTypedErrors(long seed) throws Exception {
        Random rnd = new Random(seed);
        byte[] ek = Captured.bytes("a-ek.der");
        TpmtPublic ekPub = Captured.pub("a-ek.pub");
        EkCertificateVerifier verifier = new EkCertificateVerifier(List.of(Captured.bytes("root.der")));
        byte[] mutated = mutate(ek, rnd);
        byte[] intermediate = Captured.bytes("intermediate.der");
        List<byte[]> intermediates = rnd.nextInt(4) == 0 ? List.of(mutate(intermediate, rnd)) : List.of(intermediate);
        try {
            verifier.verify(mutated, intermediates, ekPub, INSIDE);
            assertThat(mutated).isEqualTo(ek);
        } catch (EkCertificateException expected) {
            assertThat(expected.reason()).isNotNull();
        } catch (Throwable t) {
            fail("seed " + seed + ": " + t, t);
        }
        try {
            HsmId.of(mutated);
        } catch (EkCertificateException expected) {
            assertThat(expected.reason()).isEqualTo(EkCertificateException.Reason.MALFORMED);
        } catch (Throwable t) {
            fail("seed " + seed + ": " + t, t);
        }
    }

    static byte[] mutate(byte[] in, Random rnd) {
        byte[] b = in.clone();
        switch (rnd.nextInt(4)) {
            case 0:
                for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return b;
            case 1:
                return Arrays.copyOf(b, rnd.nextInt(b.length));
            case 2:
                byte[] longer = Arrays.copyOf(b, b.length + 1 + rnd.nextInt(16));
                longer[b.length] = (byte) rnd.nextInt(256);
                return longer;
            default:
                byte[] random = new byte[rnd.nextInt(2000)];
                rnd.nextBytes(random);
                if (random.length > 0 && rnd.nextBoolean()) {
                    random[0] = 0x30; // look like a SEQUENCE to get deeper into the parser
                }
                return random;
        }
    }
}
