package dev.teeledger.protocol.vrf;

import java.math.BigInteger;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECFieldElement;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The P-256 group as RFC 9381 §5.5 (ECVRF-P256-SHA256-TAI) uses it, and the SEC1 §2.3.3/§2.3.4
 * compressed point codec. Decoding returns {@code null} for anything that is not a canonical
 * 33-byte compressed point, so callers turn failures into typed errors without catching
 * BouncyCastle's runtime exceptions.
 *
 * <p>Uses BouncyCastle's {@code CustomNamedCurves} P-256, whose field arithmetic is specialised
 * and several times faster than the generic curve from {@code ECNamedCurveTable}. All state is
 * immutable after class initialisation; BouncyCastle stores precomputation tables on the base
 * point under its own lock, so sharing {@link #G} across threads is safe.
 */
final class P256Points {

  /** ptLen: SEC1 compressed point (RFC 9381 §5.5). */
  static final int POINT_LEN = 33;
  /** qLen and fLen: bytes of a scalar or field element. */
  static final int SCALAR_LEN = 32;

  private static final X9ECParameters PARAMS = CustomNamedCurves.getByName("secp256r1");
  static final ECCurve CURVE = PARAMS.getCurve();
  static final ECPoint G = PARAMS.getG().normalize();
  /** q, the prime order of the group; the cofactor is 1. */
  static final BigInteger Q = PARAMS.getN();
  /** p, the field prime. */
  static final BigInteger P = CURVE.getField().getCharacteristic();

  private P256Points() {}

  /**
   * SEC1 §2.3.4 decompression of {@code POINT_LEN} bytes at {@code offset}. Returns {@code null}
   * unless the prefix is 0x02/0x03, x &lt; p and x³ + ax + b is a square. The result is never the
   * identity (33 bytes cannot encode it) and, the cofactor being 1, is always in the prime-order
   * group.
   */
  static ECPoint decompress(byte[] bytes, int offset) {
    if (bytes.length - offset < POINT_LEN) {
      return null;
    }
    int prefix = bytes[offset];
    if (prefix != 0x02 && prefix != 0x03) {
      return null;
    }
    byte[] xBytes = new byte[SCALAR_LEN];
    System.arraycopy(bytes, offset + 1, xBytes, 0, SCALAR_LEN);
    BigInteger x = new BigInteger(1, xBytes);
    return liftX(x, prefix == 0x03);
  }

  /**
   * The point with affine x-coordinate {@code x} whose y has the given parity, or {@code null}
   * when x is not a field element or not the x-coordinate of any point.
   */
  static ECPoint liftX(BigInteger x, boolean yOdd) {
    if (x.compareTo(P) >= 0) {
      return null;
    }
    ECFieldElement fx = CURVE.fromBigInteger(x);
    ECFieldElement rhs = fx.square().add(CURVE.getA()).multiply(fx).add(CURVE.getB());
    ECFieldElement y = rhs.sqrt();
    if (y == null) {
      return null;
    }
    if (y.testBitZero() != yOdd) {
      y = y.negate();
    }
    ECPoint point = CURVE.createPoint(x, y.toBigInteger());
    // Defence in depth: the construction above satisfies the curve equation by design.
    return point.isValid() ? point : null;
  }

  /** SEC1 compressed encoding of a finite point (point_to_string, RFC 9381 §5.5). */
  static byte[] compress(ECPoint point) {
    ECPoint normal = point.normalize();
    byte[] out = new byte[POINT_LEN];
    out[0] = (byte) (normal.getAffineYCoord().testBitZero() ? 0x03 : 0x02);
    normal.getAffineXCoord().encodeTo(out, 1);
    return out;
  }

  /** int_to_string (I2OSP, RFC 8017 §4.1) of a non-negative value that fits {@code len} bytes. */
  static byte[] toFixedBytes(BigInteger value, int len) {
    byte[] raw = value.toByteArray();
    byte[] out = new byte[len];
    int copy = Math.min(raw.length, len);
    System.arraycopy(raw, raw.length - copy, out, len - copy, copy);
    return out;
  }
}
