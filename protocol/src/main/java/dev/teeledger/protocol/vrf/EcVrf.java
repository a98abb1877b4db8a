package dev.teeledger.protocol.vrf;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * ECVRF-P256-SHA256-TAI, the elliptic-curve VRF of RFC 9381 with suite string 0x01: P-256,
 * SHA-256, try-and-increment encode_to_curve (§5.4.1.1) and RFC 6979 nonces (§5.4.2.1). The
 * attestation round uses it for verifier sortition: a verifier proves on the round seed with its
 * node key, and block execution calls {@link #verify} on the vote to obtain the same 32-byte
 * output beta that decides whether the verifier was selected.
 *
 * <p>Encodings: public key 33 bytes (SEC1 compressed), proof pi = Gamma (33) ‖ c (16) ‖ s (32) =
 * 81 bytes, output beta 32 bytes. Verification validates the key (§5.4.5), decodes the proof
 * strictly (§5.4.4), recomputes the challenge and compares it in constant time; any byte input
 * yields either beta or a {@link VrfException}, never another exception. Null arguments throw
 * {@link NullPointerException}.
 *
 * <p>Stateless and thread-safe; verification is deterministic and reads no clock or randomness.
 * Proving multiplies secret scalars with BouncyCastle's fixed-point comb (for the base point) and
 * constant-time multiplier (for H), but BigInteger arithmetic is not hardened against local
 * side channels: prove only on the HSM host that owns the key.
 */
public final class EcVrf {

  /** Length of a proof pi in bytes (ptLen + cLen + qLen, RFC 9381 §5.5). */
  public static final int PROOF_LEN = 81;
  /** Length of the VRF output beta in bytes (hLen of SHA-256). */
  public static final int OUTPUT_LEN = 32;
  /** Length of a public key in bytes (SEC1 compressed). */
  public static final int PUBLIC_KEY_LEN = P256Points.POINT_LEN;
  /** Length of a secret key in bytes. */
  public static final int SECRET_KEY_LEN = P256Points.SCALAR_LEN;

  /** suite_string for ECVRF-P256-SHA256-TAI (RFC 9381 §5.5). */
  private static final byte SUITE = 0x01;
  /** cLen: the challenge is the first 16 bytes of a SHA-256 output (RFC 9381 §5.5). */
  private static final int C_LEN = 16;

  // Domain separators (RFC 9381 §5.4.1.1, §5.4.3, §5.2).
  private static final byte ENCODE_TO_CURVE_FRONT = 0x01;
  private static final byte CHALLENGE_FRONT = 0x02;
  private static final byte PROOF_TO_HASH_FRONT = 0x03;
  private static final byte BACK = 0x00;

  private static final FixedPointCombMultiplier BASE_MULTIPLIER = new FixedPointCombMultiplier();

  private EcVrf() {}

  /** A fresh key pair with x drawn uniformly from [1, q-1] using {@code random}. */
  public static EcVrfKeyPair generate(SecureRandom random) {
    Objects.requireNonNull(random, "random");
    BigInteger x;
    do {
      x = new BigInteger(P256Points.Q.bitLength(), random);
    } while (x.signum() == 0 || x.compareTo(P256Points.Q) >= 0);
    return keyPair(x);
  }

  /**
   * The key pair whose secret key is {@code secretKey}: 32 bytes big-endian, in [1, q-1].
   *
   * @throws VrfException with {@link VrfException.Reason#INVALID_SECRET_KEY} otherwise
   */
  public static EcVrfKeyPair fromSecret(byte[] secretKey) throws VrfException {
    return keyPair(secretScalar(secretKey));
  }

  /**
   * ECVRF_prove (RFC 9381 §5.1): the 81-byte proof pi for {@code alpha} under {@code secretKey}.
   * Deterministic: the same key and input always give the same proof.
   *
   * @throws VrfException {@link VrfException.Reason#INVALID_SECRET_KEY} for a bad key, or
   *     {@link VrfException.Reason#ENCODE_TO_CURVE_FAILED} (probability about 2^-256)
   */
  public static byte[] prove(byte[] secretKey, byte[] alpha) throws VrfException {
    return keyPair(secretScalar(secretKey)).prove(alpha);
  }

  /**
   * ECVRF_proof_to_hash (RFC 9381 §5.2): the 32-byte output beta of a proof, after decoding it
   * strictly. This does not verify the proof; use {@link #verify} for anything untrusted.
   *
   * @throws VrfException {@link VrfException.Reason#MALFORMED_PROOF},
   *     {@link VrfException.Reason#POINT_NOT_ON_CURVE} or
   *     {@link VrfException.Reason#SCALAR_OUT_OF_RANGE}
   */
  public static byte[] proofToHash(byte[] pi) throws VrfException {
    decodeProof(pi);
    return gammaToHash(pi);
  }

  /**
   * ECVRF_verify (RFC 9381 §5.3) with key validation: returns beta, equal to {@code
   * proofToHash(pi)}, when {@code pi} proves {@code alpha} under {@code publicKey}.
   *
   * @throws VrfException {@link VrfException.Reason#INVALID_PUBLIC_KEY}, a proof decoding
   *     reason, or {@link VrfException.Reason#VERIFICATION_FAILED}
   */
  public static byte[] verify(byte[] publicKey, byte[] pi, byte[] alpha) throws VrfException {
    return verify(EcVrfPublicKey.decode(publicKey), pi, alpha);
  }

  /**
   * As {@link #verify(byte[], byte[], byte[])} for an already validated key; the fast path for
   * block execution, which keeps decoded keys of registered verifiers.
   */
  public static byte[] verify(EcVrfPublicKey publicKey, byte[] pi, byte[] alpha)
      throws VrfException {
    Objects.requireNonNull(publicKey, "publicKey");
    Objects.requireNonNull(alpha, "alpha");
    DecodedProof proof = decodeProof(pi);
    ECPoint h = encodeToCurve(publicKey.encodedNoCopy(), alpha);
    // U = s·B + c·(−Y) and V = s·H + c·(−Gamma) (§5.3 steps 9–10), each as one interleaved
    // multi-scalar multiplication (Shamir's trick). Negating the point rather than c keeps the
    // second scalar at 128 bits. BouncyCastle switches the first to fixed-point combs once B and
    // a cached key's −Y have been used a few times, so U is cheap for known verifiers.
    ECPoint u =
        ECAlgorithms.sumOfTwoMultiplies(
            P256Points.G, proof.s(), publicKey.negatedPoint(), proof.c());
    ECPoint v = ECAlgorithms.sumOfTwoMultiplies(h, proof.s(), proof.gamma().negate(), proof.c());
    if (u.isInfinity() || v.isInfinity()) {
      // An honest proof never yields the identity here (it would need k = 0); it has no
      // 33-byte encoding, so the challenge could not match anyway.
      throw new VrfException(VrfException.Reason.VERIFICATION_FAILED, "proof does not verify");
    }
    ECPoint[] uv = {u, v};
    P256Points.CURVE.normalizeAll(uv);
    byte[] expected =
        challenge(
            publicKey.encodedNoCopy(),
            P256Points.compress(h),
            Arrays.copyOfRange(pi, 0, P256Points.POINT_LEN),
            P256Points.compress(uv[0]),
            P256Points.compress(uv[1]));
    byte[] given = Arrays.copyOfRange(pi, P256Points.POINT_LEN, P256Points.POINT_LEN + C_LEN);
    // MessageDigest.isEqual runs in time independent of where the arrays differ.
    if (!MessageDigest.isEqual(expected, given)) {
      throw new VrfException(VrfException.Reason.VERIFICATION_FAILED, "proof does not verify");
    }
    return gammaToHash(pi);
  }

  // --- RFC 9381 building blocks, package-private so tests can check intermediate values ---

  static byte[] prove(BigInteger x, EcVrfPublicKey publicKey, byte[] alpha) throws VrfException {
    Objects.requireNonNull(alpha, "alpha");
    byte[] pkString = publicKey.encodedNoCopy();
    ECPoint h = encodeToCurve(pkString, alpha); // §5.1 steps 2–3
    byte[] hString = P256Points.compress(h); // step 4
    ECPoint gamma = ECAlgorithms.multiplySecret(h, x); // step 5
    BigInteger k = nonce(x, hString); // step 6
    ECPoint u = BASE_MULTIPLIER.multiply(P256Points.G, k);
    ECPoint v = ECAlgorithms.multiplySecret(h, k);
    ECPoint[] points = {gamma, u, v};
    P256Points.CURVE.normalizeAll(points);
    byte[] gammaString = P256Points.compress(points[0]);
    byte[] cString =
        challenge(
            pkString,
            hString,
            gammaString,
            P256Points.compress(points[1]),
            P256Points.compress(points[2])); // step 7
    BigInteger c = new BigInteger(1, cString);
    BigInteger s = k.add(c.multiply(x)).mod(P256Points.Q); // step 8
    byte[] pi = new byte[PROOF_LEN]; // step 9
    System.arraycopy(gammaString, 0, pi, 0, P256Points.POINT_LEN);
    System.arraycopy(cString, 0, pi, P256Points.POINT_LEN, C_LEN);
    System.arraycopy(
        P256Points.toFixedBytes(s, P256Points.SCALAR_LEN),
        0,
        pi,
        P256Points.POINT_LEN + C_LEN,
        P256Points.SCALAR_LEN);
    return pi;
  }

  /**
   * ECVRF_encode_to_curve_try_and_increment (§5.4.1.1): H = string_to_point(0x02 ‖
   * SHA-256(suite ‖ 0x01 ‖ PK_string ‖ alpha ‖ ctr ‖ 0x00)) for the first ctr in 0..255 that
   * gives a point. The cofactor is 1, so no clearing is needed.
   */
  static ECPoint encodeToCurve(byte[] pkString, byte[] alpha) throws VrfException {
    SHA256Digest prefix = new SHA256Digest();
    prefix.update(SUITE);
    prefix.update(ENCODE_TO_CURVE_FRONT);
    prefix.update(pkString, 0, pkString.length);
    prefix.update(alpha, 0, alpha.length);
    byte[] hash = new byte[32];
    for (int ctr = 0; ctr < 256; ctr++) {
      SHA256Digest digest = new SHA256Digest(prefix);
      digest.update((byte) ctr);
      digest.update(BACK);
      digest.doFinal(hash, 0);
      ECPoint h = P256Points.liftX(new BigInteger(1, hash), false);
      if (h != null) {
        return h;
      }
    }
    throw new VrfException(
        VrfException.Reason.ENCODE_TO_CURVE_FAILED, "no curve point for this input");
  }

  /**
   * ECVRF_nonce_generation_RFC6979 (§5.4.2.1): RFC 6979 §3.2 with hash SHA-256, private key x
   * and message m = h_string, so h1 = SHA-256(h_string) is what the HMAC-DRBG absorbs.
   */
  static BigInteger nonce(BigInteger x, byte[] hString) {
    SHA256Digest sha = new SHA256Digest();
    sha.update(hString, 0, hString.length);
    byte[] h1 = new byte[32];
    sha.doFinal(h1, 0);
    HMacDSAKCalculator calculator = new HMacDSAKCalculator(new SHA256Digest());
    calculator.init(P256Points.Q, x, h1);
    return calculator.nextK();
  }

  /**
   * ECVRF_challenge_generation (§5.4.3): the first cLen bytes of SHA-256(suite ‖ 0x02 ‖ Y ‖ H ‖
   * Gamma ‖ U ‖ V ‖ 0x00), each point in its 33-byte encoding.
   */
  static byte[] challenge(byte[] y, byte[] h, byte[] gamma, byte[] u, byte[] v) {
    SHA256Digest sha = new SHA256Digest();
    sha.update(SUITE);
    sha.update(CHALLENGE_FRONT);
    for (byte[] point : new byte[][] {y, h, gamma, u, v}) {
      sha.update(point, 0, point.length);
    }
    sha.update(BACK);
    byte[] full = new byte[32];
    sha.doFinal(full, 0);
    return Arrays.copyOf(full, C_LEN);
  }

  /**
   * The rest of ECVRF_proof_to_hash (§5.2) once pi is known to decode: beta = SHA-256(suite ‖
   * 0x03 ‖ point_to_string(Gamma) ‖ 0x00). Decoding accepted only the canonical encoding, so
   * the first 33 bytes of pi are point_to_string(Gamma) (cofactor 1).
   */
  private static byte[] gammaToHash(byte[] pi) {
    SHA256Digest sha = new SHA256Digest();
    sha.update(SUITE);
    sha.update(PROOF_TO_HASH_FRONT);
    sha.update(pi, 0, P256Points.POINT_LEN);
    sha.update(BACK);
    byte[] beta = new byte[OUTPUT_LEN];
    sha.doFinal(beta, 0);
    return beta;
  }

  /** ECVRF_decode_proof (§5.4.4) with an exact length check. */
  static DecodedProof decodeProof(byte[] pi) throws VrfException {
    Objects.requireNonNull(pi, "pi");
    if (pi.length != PROOF_LEN) {
      throw new VrfException(
          VrfException.Reason.MALFORMED_PROOF,
          "proof must be " + PROOF_LEN + " bytes, got " + pi.length);
    }
    ECPoint gamma = P256Points.decompress(pi, 0);
    if (gamma == null) {
      throw new VrfException(
          VrfException.Reason.POINT_NOT_ON_CURVE, "proof's Gamma is not a point on P-256");
    }
    BigInteger c =
        new BigInteger(
            1, Arrays.copyOfRange(pi, P256Points.POINT_LEN, P256Points.POINT_LEN + C_LEN));
    BigInteger s =
        new BigInteger(1, Arrays.copyOfRange(pi, P256Points.POINT_LEN + C_LEN, PROOF_LEN));
    if (s.compareTo(P256Points.Q) >= 0) {
      throw new VrfException(
          VrfException.Reason.SCALAR_OUT_OF_RANGE, "proof's s is not below the group order");
    }
    return new DecodedProof(gamma, c, s);
  }

  record DecodedProof(ECPoint gamma, BigInteger c, BigInteger s) {}

  private static BigInteger secretScalar(byte[] secretKey) throws VrfException {
    Objects.requireNonNull(secretKey, "secretKey");
    if (secretKey.length != SECRET_KEY_LEN) {
      throw new VrfException(
          VrfException.Reason.INVALID_SECRET_KEY, "secret key must be 32 bytes");
    }
    BigInteger x = new BigInteger(1, secretKey);
    if (x.signum() == 0 || x.compareTo(P256Points.Q) >= 0) {
      throw new VrfException(
          VrfException.Reason.INVALID_SECRET_KEY, "secret key must be in [1, q-1]");
    }
    return x;
  }

  private static EcVrfKeyPair keyPair(BigInteger x) {
    ECPoint y = BASE_MULTIPLIER.multiply(P256Points.G, x);
    return new EcVrfKeyPair(x, EcVrfPublicKey.of(y));
  }
}
