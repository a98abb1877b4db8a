package dev.teeledger.protocol.vrf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Every way a proof, key or input can be wrong is refused with the right {@link VrfException.Reason}. */
class EcVrfRejectionTest {

  private static final HexFormat HEX = HexFormat.of();
  // RFC 9381 Appendix B.1, Example 10.
  private static final byte[] PK =
      HEX.parseHex("0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6");
  private static final byte[] ALPHA = "sample".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PI =
      HEX.parseHex(
          "035b5c726e8c0e2c488a107c600578ee75cb702343c153cb1eb8dec77f4b5071b4"
              + "a53f0a46f018bc2c56e58d383f2305e0"
              + "975972c26feea0eb122fe7893c15af376b33edf7de17c6ea056d4d82de6bc02f");
  // RFC 9381 Appendix B.1, Example 12 (another key).
  private static final byte[] OTHER_PK =
      HEX.parseHex("03596375e6ce57e0f20294fc46bdfcfd19a39f8161b58695b3ec5b3d16427c274d");

  @Test
  void acceptsTheUntamperedProof() throws VrfException {
    assertThat(EcVrf.verify(PK, PI, ALPHA)).isEqualTo(EcVrf.proofToHash(PI));
  }

  @Test
  void rejectsEveryFlippedBitOfTheProof() {
    for (int bit = 0; bit < PI.length * 8; bit++) {
      byte[] tampered = PI.clone();
      tampered[bit / 8] ^= (byte) (1 << (bit % 8));
      int at = bit;
      VrfException e = refusal(() -> EcVrf.verify(PK, tampered, ALPHA));
      if (at < 33 * 8) {
        // Gamma: usually no longer a point; when it still is, the challenge no longer matches.
        assertThat(e.reason())
            .as("bit %d of Gamma", at)
            .isIn(VrfException.Reason.POINT_NOT_ON_CURVE, VrfException.Reason.VERIFICATION_FAILED);
      } else if (at < 49 * 8) {
        assertThat(e.reason()).as("bit %d of c", at).isEqualTo(VrfException.Reason.VERIFICATION_FAILED);
      } else {
        assertThat(e.reason())
            .as("bit %d of s", at)
            .isIn(VrfException.Reason.SCALAR_OUT_OF_RANGE, VrfException.Reason.VERIFICATION_FAILED);
      }
    }
  }

  @Test
  void rejectsNegatedGamma() {
    byte[] tampered = PI.clone();
    tampered[0] = 0x02; // -Gamma: a valid point, so only the challenge catches it
    assertReason(() -> EcVrf.verify(PK, tampered, ALPHA), VrfException.Reason.VERIFICATION_FAILED);
  }

  @Test
  void rejectsWrongAlpha() {
    assertReason(
        () -> EcVrf.verify(PK, PI, "samplf".getBytes(StandardCharsets.US_ASCII)),
        VrfException.Reason.VERIFICATION_FAILED);
    assertReason(() -> EcVrf.verify(PK, PI, new byte[0]), VrfException.Reason.VERIFICATION_FAILED);
  }

  @Test
  void rejectsProofUnderAnotherKey() {
    assertReason(() -> EcVrf.verify(OTHER_PK, PI, ALPHA), VrfException.Reason.VERIFICATION_FAILED);
  }

  @Test
  void rejectsTruncatedProof() {
    for (int len : new int[] {0, 1, 32, 33, 48, 49, 80}) {
      byte[] truncated = Arrays.copyOf(PI, len);
      assertReason(() -> EcVrf.verify(PK, truncated, ALPHA), VrfException.Reason.MALFORMED_PROOF);
      assertReason(() -> EcVrf.proofToHash(truncated), VrfException.Reason.MALFORMED_PROOF);
    }
  }

  @Test
  void rejectsOversizedProof() {
    for (int len : new int[] {82, 97, 1024}) {
      byte[] oversized = Arrays.copyOf(PI, len);
      assertReason(() -> EcVrf.verify(PK, oversized, ALPHA), VrfException.Reason.MALFORMED_PROOF);
      assertReason(() -> EcVrf.proofToHash(oversized), VrfException.Reason.MALFORMED_PROOF);
    }
  }

  @Test
  void rejectsGammaOffTheCurve() {
    byte[] tampered = PI.clone();
    System.arraycopy(xNotOnCurve(), 0, tampered, 1, 32);
    assertReason(() -> EcVrf.verify(PK, tampered, ALPHA), VrfException.Reason.POINT_NOT_ON_CURVE);
    assertReason(() -> EcVrf.proofToHash(tampered), VrfException.Reason.POINT_NOT_ON_CURVE);
  }

  @Test
  void rejectsGammaWithNonCanonicalPrefixOrX() {
    for (byte prefix : new byte[] {0x00, 0x01, 0x04, 0x06, 0x07, (byte) 0xff}) {
      byte[] tampered = PI.clone();
      tampered[0] = prefix;
      assertReason(() -> EcVrf.proofToHash(tampered), VrfException.Reason.POINT_NOT_ON_CURVE);
    }
    byte[] xAtLeastP = PI.clone();
    System.arraycopy(P256Points.toFixedBytes(P256Points.P, 32), 0, xAtLeastP, 1, 32);
    assertReason(() -> EcVrf.verify(PK, xAtLeastP, ALPHA), VrfException.Reason.POINT_NOT_ON_CURVE);
    byte[] allOnes = PI.clone();
    Arrays.fill(allOnes, 1, 33, (byte) 0xff);
    assertReason(() -> EcVrf.proofToHash(allOnes), VrfException.Reason.POINT_NOT_ON_CURVE);
  }

  @Test
  void rejectsScalarAtOrAboveGroupOrder() {
    for (BigInteger s :
        new BigInteger[] {
          P256Points.Q, P256Points.Q.add(BigInteger.ONE), BigInteger.TWO.pow(256).subtract(BigInteger.ONE)
        }) {
      byte[] tampered = PI.clone();
      System.arraycopy(P256Points.toFixedBytes(s, 32), 0, tampered, 49, 32);
      assertReason(() -> EcVrf.verify(PK, tampered, ALPHA), VrfException.Reason.SCALAR_OUT_OF_RANGE);
      assertReason(() -> EcVrf.proofToHash(tampered), VrfException.Reason.SCALAR_OUT_OF_RANGE);
    }
  }

  @Test
  void rejectsPublicKeyOffTheCurve() {
    byte[] offCurve = PK.clone();
    System.arraycopy(xNotOnCurve(), 0, offCurve, 1, 32);
    assertReason(() -> EcVrf.verify(offCurve, PI, ALPHA), VrfException.Reason.INVALID_PUBLIC_KEY);
    assertReason(() -> EcVrfPublicKey.decode(offCurve), VrfException.Reason.INVALID_PUBLIC_KEY);
  }

  @Test
  void rejectsIdentityAndMisencodedPublicKeys() {
    byte[][] keys = {
      new byte[0],
      {0x00}, // SEC1 encoding of the identity
      new byte[33], // zero prefix, zero x
      withPrefix(PK, (byte) 0x04),
      withPrefix(PK, (byte) 0x00),
      Arrays.copyOf(PK, 32),
      Arrays.copyOf(PK, 34),
      uncompressedExample10Key(),
      withX(PK, P256Points.P),
      withX(PK, P256Points.P.add(BigInteger.ONE)),
    };
    for (byte[] key : keys) {
      assertReason(() -> EcVrf.verify(key, PI, ALPHA), VrfException.Reason.INVALID_PUBLIC_KEY);
    }
  }

  @Test
  void rejectsInvalidSecretKeys() {
    byte[][] secrets = {
      new byte[0],
      new byte[31],
      new byte[33],
      new byte[32], // zero
      P256Points.toFixedBytes(P256Points.Q, 32),
      P256Points.toFixedBytes(P256Points.Q.add(BigInteger.TEN), 32),
    };
    for (byte[] secret : secrets) {
      assertReason(() -> EcVrf.fromSecret(secret), VrfException.Reason.INVALID_SECRET_KEY);
      assertReason(() -> EcVrf.prove(secret, ALPHA), VrfException.Reason.INVALID_SECRET_KEY);
    }
  }

  @Test
  void acceptsLargestSecretKey() throws VrfException {
    byte[] secret = P256Points.toFixedBytes(P256Points.Q.subtract(BigInteger.ONE), 32);
    EcVrfKeyPair keys = EcVrf.fromSecret(secret);
    byte[] pi = keys.prove(ALPHA);
    assertThat(EcVrf.verify(keys.publicKey(), pi, ALPHA)).isEqualTo(EcVrf.proofToHash(pi));
  }

  @Test
  void keyPairNeverPrintsSecret() throws VrfException {
    EcVrfKeyPair keys = EcVrf.fromSecret(HEX.parseHex(
        "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"));
    assertThat(keys.toString()).doesNotContain("c9afa9d8").contains("redacted");
  }

  // --- helpers ---

  /** The smallest x that is no point's x-coordinate, found from the curve equation. */
  private static byte[] xNotOnCurve() {
    BigInteger x = BigInteger.ONE;
    while (P256Points.liftX(x, false) != null) {
      x = x.add(BigInteger.ONE);
    }
    return P256Points.toFixedBytes(x, 32);
  }

  private static byte[] withPrefix(byte[] key, byte prefix) {
    byte[] out = key.clone();
    out[0] = prefix;
    return out;
  }

  private static byte[] withX(byte[] key, BigInteger x) {
    byte[] out = key.clone();
    System.arraycopy(P256Points.toFixedBytes(x, 32), 0, out, 1, 32);
    return out;
  }

  private static byte[] uncompressedExample10Key() {
    return HEX.parseHex(
        "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
            + "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299");
  }

  private static VrfException refusal(ThrowingCallable call) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(thrown).isInstanceOf(VrfException.class);
    return (VrfException) thrown;
  }

  private static void assertReason(ThrowingCallable call, VrfException.Reason reason) {
    assertThatThrownBy(call)
        .isInstanceOf(VrfException.class)
        .extracting(t -> ((VrfException) t).reason())
        .isEqualTo(reason);
  }
}
