package dev.teeledger.protocol.vrf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Round trips for random keys and inputs, and fuzzing: for any bytes, the public operations
 * return or throw {@link VrfException}, never anything else.
 */
class EcVrfPropertiesTest {

  @Provide
  Arbitrary<EcVrfKeyPair> keyPairs() {
    return Arbitraries.bytes()
        .array(byte[].class)
        .ofSize(32)
        .map(bytes -> new BigInteger(1, bytes).mod(P256Points.Q.subtract(BigInteger.ONE)).add(BigInteger.ONE))
        .map(x -> {
          try {
            return EcVrf.fromSecret(P256Points.toFixedBytes(x, 32));
          } catch (VrfException e) {
            throw new AssertionError("scalar in [1, q-1] was refused", e);
          }
        });
  }

  @Property(tries = 150)
  void proofVerifiesAndVerifyReturnsProofToHash(
      @ForAll("keyPairs") EcVrfKeyPair keys, @ForAll @Size(max = 200) byte[] alpha)
      throws VrfException {
    byte[] pi = keys.prove(alpha);
    assertThat(pi).hasSize(EcVrf.PROOF_LEN);
    byte[] beta = EcVrf.verify(keys.publicKey().encoded(), pi, alpha);
    assertThat(beta).hasSize(EcVrf.OUTPUT_LEN).isEqualTo(EcVrf.proofToHash(pi));
    assertThat(EcVrf.verify(keys.publicKey(), pi, alpha)).isEqualTo(beta);
  }

  @Property(tries = 50)
  void provingIsDeterministicAndKeyRoundTrips(
      @ForAll("keyPairs") EcVrfKeyPair keys, @ForAll @Size(max = 64) byte[] alpha)
      throws VrfException {
    EcVrfKeyPair again = EcVrf.fromSecret(keys.secretKey());
    assertThat(again.publicKey()).isEqualTo(keys.publicKey());
    assertThat(EcVrf.prove(keys.secretKey(), alpha)).isEqualTo(keys.prove(alpha));
    assertThat(EcVrfPublicKey.decode(keys.publicKey().encoded())).isEqualTo(keys.publicKey());
  }

  @Property(tries = 100)
  void proofDoesNotVerifyForAnotherInput(
      @ForAll("keyPairs") EcVrfKeyPair keys,
      @ForAll @Size(max = 64) byte[] alpha,
      @ForAll @Size(max = 64) byte[] otherAlpha)
      throws VrfException {
    Assume.that(!java.util.Arrays.equals(alpha, otherAlpha));
    byte[] pi = keys.prove(alpha);
    assertThatThrownBy(() -> EcVrf.verify(keys.publicKey(), pi, otherAlpha))
        .isInstanceOf(VrfException.class)
        .extracting(e -> ((VrfException) e).reason())
        .isEqualTo(VrfException.Reason.VERIFICATION_FAILED);
  }

  @Property(tries = 200)
  void anyMutationOfAValidProofIsRefused(
      @ForAll("keyPairs") EcVrfKeyPair keys,
      @ForAll @Size(max = 32) byte[] alpha,
      @ForAll @IntRange(max = 80) int position,
      @ForAll byte mask) throws VrfException {
    Assume.that(mask != 0);
    byte[] pi = keys.prove(alpha);
    pi[position] ^= mask;
    assertThatThrownBy(() -> EcVrf.verify(keys.publicKey(), pi, alpha))
        .isInstanceOf(VrfException.class);
  }

  @Property(tries = 1000)
  void verifyOfRandomBytesOnlyThrowsVrfException(
      @ForAll @Size(max = 70) byte[] publicKey,
      @ForAll @Size(max = 100) byte[] pi,
      @ForAll @Size(max = 16) byte[] alpha) {
    try {
      EcVrf.verify(publicKey, pi, alpha);
    } catch (VrfException expected) {
      // the only permitted failure
    }
  }

  @Property(tries = 1000)
  void verifyOfWellShapedRandomProofOnlyThrowsVrfException(
      @ForAll("keyPairs") EcVrfKeyPair keys,
      @ForAll @Size(value = 80) byte[] body,
      @ForAll boolean odd,
      @ForAll @Size(max = 16) byte[] alpha) {
    // Right length and prefix, so decoding gets past the cheap checks into point arithmetic.
    byte[] pi = new byte[EcVrf.PROOF_LEN];
    pi[0] = (byte) (odd ? 0x03 : 0x02);
    System.arraycopy(body, 0, pi, 1, 80);
    try {
      EcVrf.verify(keys.publicKey(), pi, alpha);
      throw new AssertionError("a random proof verified");
    } catch (VrfException expected) {
      // the only permitted failure
    }
  }

  @Property(tries = 1000)
  void proofToHashAndKeyDecodingOfRandomBytesOnlyThrowVrfException(
      @ForAll @Size(max = 100) byte[] bytes) {
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

  @Property(tries = 500)
  void randomCompressedKeysDecodeOrAreRefused(
      @ForAll @Size(value = 32) byte[] x, @ForAll boolean odd) {
    byte[] key = new byte[33];
    key[0] = (byte) (odd ? 0x03 : 0x02);
    System.arraycopy(x, 0, key, 1, 32);
    try {
      EcVrfPublicKey decoded = EcVrfPublicKey.decode(key);
      assertThat(decoded.encoded()).isEqualTo(key);
    } catch (VrfException e) {
      assertThat(e.reason()).isEqualTo(VrfException.Reason.INVALID_PUBLIC_KEY);
    }
  }
}
