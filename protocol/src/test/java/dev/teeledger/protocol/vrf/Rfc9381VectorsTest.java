package dev.teeledger.protocol.vrf;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 9381 Appendix B.1, ECVRF-P256-SHA256-TAI, Examples 10–12: every published value (SK, PK,
 * alpha, H, k, U, V, pi, beta) must be reproduced exactly.
 */
class Rfc9381VectorsTest {

  private static final HexFormat HEX = HexFormat.of();

  record Vector(
      String name,
      String sk,
      String pk,
      String alpha,
      String h,
      String k,
      String u,
      String v,
      String pi,
      String beta) {}

  static Stream<Arguments> vectors() {
    return Stream.of(
        new Vector(
            "Example 10 (alpha = \"sample\")",
            "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
            "0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
            "73616d706c65",
            "0272a877532e9ac193aff4401234266f59900a4a9e3fc3cfc6a4b7e467a15d06d4",
            "0d90591273453d2dc67312d39914e3a93e194ab47a58cd598886897076986f77",
            "02bb6a034f67643c6183c10f8b41dc4babf88bff154b674e377d90bde009c21672",
            "02893ebee7af9a0faa6da810da8a91f9d50e1dc071240c9706726820ff919e8394",
            "035b5c726e8c0e2c488a107c600578ee75cb702343c153cb1eb8dec77f4b5071b4"
                + "a53f0a46f018bc2c56e58d383f2305e0"
                + "975972c26feea0eb122fe7893c15af376b33edf7de17c6ea056d4d82de6bc02f",
            "a3ad7b0ef73d8fc6655053ea22f9bede8c743f08bbed3d38821f0e16474b505e"),
        new Vector(
            "Example 11 (alpha = \"test\")",
            "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
            "0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
            "74657374",
            "02173119b4fff5e6f8afed4868a29fe8920f1b54c2cf89cc7b301d0d473de6b974",
            "5852353a868bdce26938cde1826723e58bf8cb06dd2fed475213ea6f3b12e961",
            "022779a2cafcb65414c4a04a4b4d2adf4c50395f57995e89e6de823250d91bc48e",
            "033b4a14731672e82339f03b45ff6b5b13dee7ada38c9bf1d6f8f61e2ce5921119",
            "034dac60aba508ba0c01aa9be80377ebd7562c4a52d74722e0abae7dc3080ddb56"
                + "c19e067b15a8a8174905b13617804534"
                + "214f935b94c2287f797e393eb0816969d864f37625b443f30f1a5a33f2b3c854",
            "a284f94ceec2ff4b3794629da7cbafa49121972671b466cab4ce170aa365f26d"),
        new Vector(
            "Example 12 (ANSI X9.62 L.4.2 key)",
            "2ca1411a41b17b24cc8c3b089cfd033f1920202a6c0de8abb97df1498d50d2c8",
            "03596375e6ce57e0f20294fc46bdfcfd19a39f8161b58695b3ec5b3d16427c274d",
            "4578616d706c65207573696e67204543445341206b65792066726f6d"
                + "20417070656e646978204c2e342e32206f6620414e53492e58392d36322d32303035",
            "0258055c26c4b01d01c00fb57567955f7d39cd6f6e85fd37c58f696cc6b7aa761d",
            "5689e2e08e1110b4dda293ac21667eac6db5de4a46a519c73d533f69be2f4da3",
            "020f465cd0ec74d2e23af0abde4c07e866ae4e5138bded5dd1196b8843f380db84",
            "036cb6f811428fc4904370b86c488f60c280fa5b496d2f34ff8772f60ed24b2d1d",
            "03d03398bf53aa23831d7d1b2937e005fb0062cbefa06796579f2a1fc7e7b8c667"
                + "d091c00b0f5c3619d10ecea44363b5a5"
                + "99cadc5b2957e223fec62e81f7b4825fc799a771a3d7334b9186bdbee87316b1",
            "90871e06da5caa39a3c61578ebb844de8635e27ac0b13e829997d0d95dd98c19"))
        .map(v -> Arguments.of(v.name(), v));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void derivesPublicKeyFromSecret(String name, Vector v) throws VrfException {
    EcVrfKeyPair keys = EcVrf.fromSecret(HEX.parseHex(v.sk()));
    assertThat(HEX.formatHex(keys.publicKey().encoded())).isEqualTo(v.pk());
    assertThat(HEX.formatHex(keys.secretKey())).isEqualTo(v.sk());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void reproducesIntermediateValues(String name, Vector v) throws VrfException {
    byte[] pk = HEX.parseHex(v.pk());
    byte[] alpha = HEX.parseHex(v.alpha());
    BigInteger x = new BigInteger(1, HEX.parseHex(v.sk()));

    ECPoint h = EcVrf.encodeToCurve(pk, alpha);
    byte[] hString = P256Points.compress(h);
    assertThat(HEX.formatHex(hString)).as("H").isEqualTo(v.h());

    BigInteger k = EcVrf.nonce(x, hString);
    assertThat(HEX.formatHex(P256Points.toFixedBytes(k, 32))).as("k").isEqualTo(v.k());

    ECPoint u = P256Points.G.multiply(k);
    ECPoint vPoint = ECAlgorithms.referenceMultiply(h, k);
    assertThat(HEX.formatHex(P256Points.compress(u))).as("U").isEqualTo(v.u());
    assertThat(HEX.formatHex(P256Points.compress(vPoint))).as("V").isEqualTo(v.v());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void provesExactProof(String name, Vector v) throws VrfException {
    byte[] pi = EcVrf.prove(HEX.parseHex(v.sk()), HEX.parseHex(v.alpha()));
    assertThat(HEX.formatHex(pi)).isEqualTo(v.pi());
    assertThat(pi).hasSize(EcVrf.PROOF_LEN);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void hashesProofToPublishedOutput(String name, Vector v) throws VrfException {
    assertThat(HEX.formatHex(EcVrf.proofToHash(HEX.parseHex(v.pi())))).isEqualTo(v.beta());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void verifiesPublishedProofAndReturnsBeta(String name, Vector v) throws VrfException {
    byte[] beta = EcVrf.verify(HEX.parseHex(v.pk()), HEX.parseHex(v.pi()), HEX.parseHex(v.alpha()));
    assertThat(HEX.formatHex(beta)).isEqualTo(v.beta());
  }
}
