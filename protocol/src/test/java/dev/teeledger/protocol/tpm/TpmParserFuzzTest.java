package dev.teeledger.protocol.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded fuzzing of the TPM parsers and verifiers: mutated genuine evidence and random bytes must
 * either parse or fail with a typed exception, never anything else. A failing seed reproduces.
 */
class TpmParserFuzzTest {

    static LongStream seeds() {
        return LongStream.range(0, 400);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void publicAreaParserFailsOnlyWithTypedErrors(long seed) {
        Random rnd = new Random(seed);
        String[] files = {"a-ek.pub", "a-ak.pub", "b-ak.pub", "b-node.pub"};
        byte[] input = mutate(Captured.bytes(files[rnd.nextInt(files.length)]), rnd);
        try {
            TpmtPublic p = TpmtPublic.parseTpm2b(input);
            assertThat(p.name()).isNotEmpty();
            p.subjectPublicKeyInfo();
        } catch (TpmFormatException expected) {
            assertThat(expected.reason()).isNotNull();
        } catch (Throwable t) {
            fail("seed " + seed + ": " + t, t);
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void attestParserFailsOnlyWithTypedErrors(long seed) {
        Random rnd = new Random(seed);
        String[] files = {"a-certify.attest", "a-quote.attest", "b-certify.attest", "b-quote.attest"};
        byte[] input = mutate(Captured.bytes(files[rnd.nextInt(files.length)]), rnd);
        try {
            TpmsAttest.parse(input);
        } catch (TpmFormatException expected) {
            assertThat(expected.reason()).isNotNull();
        } catch (Throwable t) {
            fail("seed " + seed + ": " + t, t);
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void certifyVerifierNeverAcceptsMutationsNorThrowsUntyped(long seed) {
        Random rnd = new Random(seed);
        String tpm = rnd.nextBoolean() ? "a" : "b";
        byte[] attest = Captured.bytes(tpm + "-certify.attest");
        byte[] sig = Captured.bytes(tpm + "-certify.sig");
        byte[] mutatedAttest = attest;
        byte[] mutatedSig = sig;
        if (rnd.nextBoolean()) {
            mutatedAttest = mutate(attest, rnd);
        } else {
            mutatedSig = mutate(sig, rnd);
        }
        boolean changed = !Arrays.equals(mutatedAttest, attest) || !Arrays.equals(mutatedSig, sig);
        try {
            CertifyVerifier.verify(Captured.pub(tpm + "-ak.pub"), Captured.pub(tpm + "-node.pub"),
                    mutatedAttest, mutatedSig, null);
            if (changed) {
                // ECDSA (r, s) with leading zero bytes trimmed is the same signature; nothing else may pass.
                assertThat(TpmtSignature.parse(mutatedSig).r()).isEqualTo(TpmtSignature.parse(sig).r());
                assertThat(mutatedAttest).isEqualTo(attest);
            }
        } catch (TpmEvidenceException expected) {
            assertThat(changed).isTrue();
        } catch (Throwable t) {
            fail("seed " + seed + ": " + t, t);
        }
    }

    /** One of: flip bits, truncate, extend, overwrite a size-like pair, or replace by random bytes. */
    static byte[] mutate(byte[] in, Random rnd) {
        byte[] b = in.clone();
        switch (rnd.nextInt(5)) {
            case 0:
                for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return b;
            case 1:
                return Arrays.copyOf(b, rnd.nextInt(b.length));
            case 2:
                byte[] longer = Arrays.copyOf(b, b.length + 1 + rnd.nextInt(64));
                for (int i = b.length; i < longer.length; i++) {
                    longer[i] = (byte) rnd.nextInt(256);
                }
                return longer;
            case 3:
                int at = rnd.nextInt(b.length - 1);
                b[at] = (byte) rnd.nextInt(256);
                b[at + 1] = (byte) rnd.nextInt(256);
                return b;
            default:
                byte[] random = new byte[rnd.nextInt(300)];
                rnd.nextBytes(random);
                return random;
        }
    }
}
