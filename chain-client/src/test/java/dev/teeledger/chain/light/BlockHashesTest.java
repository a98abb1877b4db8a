package dev.teeledger.chain.light;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teeledger.chain.rpc.CometJsonCodec;
import dev.teeledger.chain.testing.Fixtures;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import tendermint.types.Types;
import tendermint.types.ValidatorOuterClass;

/** Hashes recomputed from JSON captured from real CometBFT v0.38.25 nodes. */
class BlockHashesTest {

  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  @Test
  void headerHashEqualsTheBlockIdTheCommitSigns() {
    for (String f :
        new String[] {
          "single/commit_6.json", "single/commit_7.json", "single/commit_8.json",
          "four/commit_16.json", "four/commit_17.json", "four/commit_18.json",
          "four/commit_19.json", "four/commit_20.json", "four/commit_absent.json"
        }) {
      Types.SignedHeader sh = Fixtures.signedHeader(f);
      assertThat(BlockHashes.header(sh.getHeader())).as(f)
          .isEqualTo(sh.getCommit().getBlockId().getHash().toByteArray());
    }
  }

  @Test
  void headerHashEqualsTheBlockIdOfBlockAnswer() throws Exception {
    var block = CometJsonCodec.block(Fixtures.result("single/block_6.json"));
    assertThat(HEX.formatHex(BlockHashes.header(block.header())))
        .isEqualTo("99204F265856AB7B53813F6A0869ECB8C986D83D56C80042FB88CDB74E2175A8");
    assertThat(block.blockId().getHash().toByteArray()).isEqualTo(BlockHashes.header(block.header()));
  }

  @Test
  void validatorSetHashEqualsHeaderValidatorsHash() {
    for (int h = 16; h <= 20; h++) {
      Types.SignedHeader sh = Fixtures.signedHeader("four/commit_" + h + ".json");
      ValidatorOuterClass.ValidatorSet vals = Fixtures.validators("four/validators_" + h + ".json");
      assertThat(BlockHashes.validatorSet(vals.getValidatorsList())).as("height %d", h)
          .isEqualTo(sh.getHeader().getValidatorsHash().toByteArray());
    }
    assertThat(
            BlockHashes.validatorSet(
                Fixtures.validators("single/validators_6.json").getValidatorsList()))
        .isEqualTo(
            Fixtures.signedHeader("single/commit_6.json")
                .getHeader()
                .getValidatorsHash()
                .toByteArray());
  }

  @Test
  void validatorAddressIsTruncatedSha256OfKey() {
    ValidatorOuterClass.Validator v =
        Fixtures.validators("four/validators_20.json").getValidators(0);
    assertThat(BlockHashes.address(v.getPubKey())).isEqualTo(v.getAddress().toByteArray());
  }

  @Test
  void anyHeaderFieldChangeChangesTheHash() {
    Types.Header h = Fixtures.signedHeader("single/commit_7.json").getHeader();
    byte[] original = BlockHashes.header(h);
    assertThat(BlockHashes.header(h.toBuilder().setHeight(8).build())).isNotEqualTo(original);
    assertThat(BlockHashes.header(h.toBuilder().setChainId("x").build())).isNotEqualTo(original);
    assertThat(
            BlockHashes.header(
                h.toBuilder().setTime(h.getTime().toBuilder().setNanos(1)).build()))
        .isNotEqualTo(original);
    assertThat(
            BlockHashes.header(
                h.toBuilder().setProposerAddress(com.google.protobuf.ByteString.EMPTY).build()))
        .isNotEqualTo(original);
  }
}
