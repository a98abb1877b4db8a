package dev.teeledger.protocol.vrf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Round trips for random keys and inputs, and fuzzing: for any bytes, the public operations
 * return or throw {@link VrfException}, never anything else. Inputs come from a seeded
 * {@link Random}; the seed in each case's name reproduces a failure.
 */
class EcVrfPropertiesTest {

  static LongStream seeds150() {
    return LongStream.range(0, 150);
  }

  static LongStream seeds1000() {
    return LongStream.range(0, 1000);
  }

  private static byte[] bytes(Random r, int maxLen) {
    byte[] b = new byte[r.nextInt(maxLen + 1)];
    r.nextBytes(b);
    return b;
  }

  private static byte[] exactly(Random r, int len) {
    byte[] b = new byte[len];
    r.nextBytes(b);
    return b;
  }

  private static EcVrfKeyPair keyPair(Random r) {
    BigInteger x = new BigInteger(1, exactly(r, 32)).mod(P256Points.Q.subtract(BigInteger.ONE)).add(BigInteger.ONE);
    try {
      return EcVrf.fromSecret(P256Points.toFixedBytes(x, 32));
    } catch (VrfException e) {
      throw new AssertionError("scalar in [1, q-1] was refused", e);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds150")
  void proofVerifiesAndVerifyReturnsProofToHash(long seed) throws VrfException {
    Random r = new Random(seed);
    EcVrfKeyPair keys = keyPair(r);
    byte[] alpha = bytes(r, 200);
    byte[] pi = keys.prove(alpha);
    assertThat(pi).hasSize(EcVrf.PROOF_LEN);
    byte[] beta = EcVrf.verify(keys.publicKey().encoded(), pi, alpha);
    assertThat(beta).hasSize(EcVrf.OUTPUT_LEN).isEqualTo(EcVrf.proofToHash(pi));
    assertThat(EcVrf.verify(keys.publicKey(), pi, alpha)).isEqualTo(beta);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds150")
  void provingIsDeterministicAndKeyRoundTrips(long seed) throws VrfException {
    Random r = new Random(seed);
    EcVrfKeyPair keys = keyPair(r);
    byte[] alpha = bytes(r, 64);
    EcVrfKeyPair again = EcVrf.fromSecret(keys.secretKey());
    assertThat(again.publicKey()).isEqualTo(keys.publicKey());
    assertThat(EcVrf.prove(keys.secretKey(), alpha)).isEqualTo(keys.prove(alpha));
    assertThat(EcVrfPublicKey.decode(keys.publicKey().encoded())).isEqualTo(keys.publicKey());
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds150")
  void proofDoesNotVerifyForAnotherInput(long seed) throws VrfException {
    Random r = new Random(seed);
    EcVrfKeyPair keys = keyPair(r);
    byte[] alpha = bytes(r, 64);
    byte[] otherAlpha = bytes(r, 64);
    if (java.util.Arrays.equals(alpha, otherAlpha)) {
      otherAlpha = java.util.Arrays.copyOf(alpha, alpha.length + 1);
    }
    byte[] pi = keys.prove(alpha);
    byte[] other = otherAlpha;
    assertThatThrownBy(() -> EcVrf.verify(keys.publicKey(), pi, other))
        .isInstanceOf(VrfException.class)
        .extracting(e -> ((VrfException) e).reason())
        .isEqualTo(VrfException.Reason.VERIFICATION_FAILED);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds150")
  void anyMutationOfAValidProofIsRefused(long seed) throws VrfException {
    Random r = new Random(seed);
    EcVrfKeyPair keys = keyPair(r);
    byte[] alpha = bytes(r, 32);
    int position = r.nextInt(EcVrf.PROOF_LEN);
    byte mask = (byte) (1 + r.nextInt(255));
    byte[] pi = keys.prove(alpha);
    pi[position] ^= mask;
    assertThatThrownBy(() -> EcVrf.verify(keys.publicKey(), pi, alpha))
        .isInstanceOf(VrfException.class);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds1000")
  void verifyOfRandomBytesOnlyThrowsVrfException(long seed) {
    Random r = new Random(seed);
    try {
      EcVrf.verify(bytes(r, 70), bytes(r, 100), bytes(r, 16));
    } catch (VrfException expected) {
      // the only permitted failure
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds150")
  void verifyOfWellShapedRandomProofOnlyThrowsVrfException(long seed) {
    Random r = new Random(seed);
    EcVrfKeyPair keys = keyPair(r);
    byte[] alpha = bytes(r, 16);
    // Right length and prefix, so decoding gets past the cheap checks into point arithmetic.
    for (int i = 0; i < 7; i++) {
      byte[] pi = new byte[EcVrf.PROOF_LEN];
      pi[0] = (byte) (r.nextBoolean() ? 0x03 : 0x02);
      System.arraycopy(exactly(r, 80), 0, pi, 1, 80);
      try {
        EcVrf.verify(keys.publicKey(), pi, alpha);
        throw new AssertionError("a random proof verified");
      } catch (VrfException expected) {
        // the only permitted failure
      }
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds1000")
  void proofToHashAndKeyDecodingOfRandomBytesOnlyThrowVrfException(long seed) {
    Random r = new Random(seed);
    byte[] bytes = r.nextInt(4) == 0 ? exactly(r, EcVrf.PROOF_LEN) : bytes(r, 100);
    try {
      assertThat(EcVrf.proofToHash(bytes)).hasSize(EcVrf.OUTPUT_LEN);
    } catch (VrfException expected) {
      // the only permitted failure
    }
    try {
      EcVrfPublicKey.decode(bytes);
    } catch (VrfException expected) {
      // the only permitted failure
    }
    try {
      EcVrf.fromSecret(bytes);
    } catch (VrfException expected) {
      // the only permitted failure
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds1000")
  void randomCompressedKeysDecodeOrAreRefused(long seed) {
    Random r = new Random(seed);
    byte[] key = new byte[33];
    key[0] = (byte) (r.nextBoolean() ? 0x03 : 0x02);
    System.arraycopy(exactly(r, 32), 0, key, 1, 32);
    try {
      EcVrfPublicKey decoded = EcVrfPublicKey.decode(key);
      assertThat(decoded.encoded()).isEqualTo(key);
    } catch (VrfException e) {
      assertThat(e.reason()).isEqualTo(VrfException.Reason.INVALID_PUBLIC_KEY);
    }
  }
}
