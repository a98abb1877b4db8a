package dev.teeledger.chain.light;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleRootTest {

  private static final HexFormat HEX = HexFormat.of();

  /** Leaves of the RFC 6962 reference test tree (certificate-transparency test vectors). */
  private static final List<String> CT_LEAVES =
      List.of(
          "",
          "00",
          "10",
          "2021",
          "3031",
          "40414243",
          "5051525354555657",
          "606162636465666768696a6b6c6d6e6f");

  /** Roots of the first 1..8 CT leaves. */
  private static final List<String> CT_ROOTS =
      List.of(
          "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
          "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
          "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
          "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
          "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
          "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
          "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

  @Test
  void emptyTreeHashesToSha256OfNothing() {
    assertThat(HEX.formatHex(MerkleRoot.of(List.of())))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void matchesRfc6962ReferenceVectors() {
    for (int n = 1; n <= CT_LEAVES.size(); n++) {
      List<byte[]> leaves = new ArrayList<>();
      for (String l : CT_LEAVES.subList(0, n)) {
        leaves.add(HEX.parseHex(l));
      }
      assertThat(HEX.formatHex(MerkleRoot.of(leaves))).as("root of %d leaves", n)
          .isEqualTo(CT_ROOTS.get(n - 1));
    }
  }

  @Test
  void matchesDirectRecursiveDefinitionUpTo40Leaves() throws Exception {
    for (int n = 1; n <= 40; n++) {
      List<byte[]> leaves = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        leaves.add(new byte[] {(byte) i, (byte) (i * 7)});
      }
      assertThat(MerkleRoot.of(leaves)).as("n=%d", n).isEqualTo(reference(leaves));
    }
  }

  @Test
  void splitPointIsLargestPowerOfTwoBelowN() {
    assertThat(MerkleRoot.splitPoint(2)).isEqualTo(1);
    assertThat(MerkleRoot.splitPoint(3)).isEqualTo(2);
    assertThat(MerkleRoot.splitPoint(4)).isEqualTo(2);
    assertThat(MerkleRoot.splitPoint(5)).isEqualTo(4);
    assertThat(MerkleRoot.splitPoint(8)).isEqualTo(4);
    assertThat(MerkleRoot.splitPoint(9)).isEqualTo(8);
    assertThat(MerkleRoot.splitPoint(14)).isEqualTo(8);
  }

  @Test
  void orderOfLeavesMatters() {
    byte[] a = {1};
    byte[] b = {2};
    assertThat(MerkleRoot.of(List.of(a, b))).isNotEqualTo(MerkleRoot.of(List.of(b, a)));
  }

  /** RFC 6962 section 2.1 MTH written out independently: k found by doubling. */
  private static byte[] reference(List<byte[]> d) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    if (d.size() == 1) {
      sha.update((byte) 0);
      sha.update(d.get(0));
      return sha.digest();
    }
    int k = 1;
    while (k * 2 < d.size()) {
      k *= 2;
    }
    byte[] left = reference(d.subList(0, k));
    byte[] right = reference(d.subList(k, d.size()));
    sha.update((byte) 1);
    sha.update(left);
    sha.update(right);
    return sha.digest();
  }
}
