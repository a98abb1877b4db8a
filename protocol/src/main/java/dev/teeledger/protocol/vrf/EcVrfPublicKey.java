package dev.teeledger.protocol.vrf;

import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.math.ec.ECPoint;

/**
 * A validated ECVRF-P256-SHA256-TAI public key: the 33-byte SEC1 compressed point Y = x·B that
 * passed RFC 9381 §5.4.5 (ECVRF_validate_key). Block execution decodes each verifier's key once
 * and reuses the instance for every vote, which skips the square root of decompression and lets
 * BouncyCastle keep its wNAF precomputation for Y on the point.
 *
 * <p>Immutable and thread-safe. Equality is by encoding.
 */
public final class EcVrfPublicKey {

  private final byte[] encoded;
  private final ECPoint point;
  /**
   * −Y, kept so that verification multiplies it by the 128-bit challenge c rather than Y by the
   * 256-bit q − c, and so that BouncyCastle's precomputation for it survives between calls.
   */
  private final ECPoint negated;

  private EcVrfPublicKey(byte[] encoded, ECPoint point) {
    this.encoded = encoded;
    this.point = point;
    this.negated = point.negate();
  }

  /**
   * Decodes and validates {@code publicKey}: exactly 33 bytes, prefix 0x02 or 0x03, x below the
   * field prime, on the curve, not the identity. With cofactor 1 this is all of RFC 9381 §5.4.5.
   *
   * @throws VrfException with {@link VrfException.Reason#INVALID_PUBLIC_KEY} for anything else
   */
  public static EcVrfPublicKey decode(byte[] publicKey) throws VrfException {
    Objects.requireNonNull(publicKey, "publicKey");
    if (publicKey.length != P256Points.POINT_LEN) {
      throw new VrfException(
          VrfException.Reason.INVALID_PUBLIC_KEY,
          "public key must be a 33-byte SEC1 compressed P-256 point");
    }
    ECPoint y = P256Points.decompress(publicKey, 0);
    if (y == null || y.isInfinity()) {
      throw new VrfException(
          VrfException.Reason.INVALID_PUBLIC_KEY, "public key is not a point on P-256");
    }
    return new EcVrfPublicKey(publicKey.clone(), y);
  }

  static EcVrfPublicKey of(ECPoint y) {
    ECPoint normal = y.normalize();
    return new EcVrfPublicKey(P256Points.compress(normal), normal);
  }

  /** The 33-byte SEC1 compressed encoding (PK_string in RFC 9381); a fresh copy. */
  public byte[] encoded() {
    return encoded.clone();
  }

  byte[] encodedNoCopy() {
    return encoded;
  }

  ECPoint point() {
    return point;
  }

  ECPoint negatedPoint() {
    return negated;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof EcVrfPublicKey that && Arrays.equals(encoded, that.encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    StringBuilder hex = new StringBuilder("EcVrfPublicKey[");
    for (byte b : encoded) {
      hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
    }
    return hex.append(']').toString();
  }
}
