package dev.teeledger.protocol.vrf;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;

/** The SEC1 compressed codec accepts exactly one encoding per point. */
class P256PointsTest {

  @Test
  void roundTripsBasePointAndItsNegation() {
    byte[] g = P256Points.compress(P256Points.G);
    assertThat(P256Points.decompress(g, 0)).isEqualTo(P256Points.G);
    byte[] minusG = P256Points.compress(P256Points.G.negate());
    assertThat(minusG[0]).isNotEqualTo(g[0]);
    assertThat(P256Points.decompress(minusG, 0)).isEqualTo(P256Points.G.negate());
  }

  @Test
  void rejectsXAliasedByFieldPrime() {
    // The smallest x that is a point's x-coordinate, written as x + p (still 32 bytes): a lax
    // decoder reducing mod p would accept it as a second encoding of the same point.
    BigInteger x = BigInteger.ONE;
    ECPoint point;
    while ((point = P256Points.liftX(x, false)) == null) {
      x = x.add(BigInteger.ONE);
    }
    byte[] canonical = P256Points.compress(point);
    assertThat(P256Points.decompress(canonical, 0)).isEqualTo(point);

    byte[] aliased = canonical.clone();
    System.arraycopy(P256Points.toFixedBytes(x.add(P256Points.P), 32), 0, aliased, 1, 32);
    assertThat(P256Points.decompress(aliased, 0)).isNull();
  }

  @Test
  void rejectsShortInputWithoutThrowing() {
    assertThat(P256Points.decompress(new byte[32], 0)).isNull();
    assertThat(P256Points.decompress(P256Points.compress(P256Points.G), 1)).isNull();
  }
}
