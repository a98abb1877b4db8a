package dev.teeledger.chain.light;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import org.junit.jupiter.api.Test;
import tendermint.types.Types;
import tendermint.types.Types.SignedMsgType;

/** Vectors from CometBFT v0.38 {@code types/vote_test.go TestVoteSignBytesTestVectors}. */
class VoteSignBytesTest {

  /** Go's zero time.Time, which CometBFT always encodes (non-nullable timestamp). */
  private static final Timestamp GO_ZERO_TIME =
      Timestamp.newBuilder().setSeconds(-62135596800L).build();

  private static final byte[] ZERO_TIME_FIELD = {
    0x2a, 0xb, 0x8, (byte) 0x80, (byte) 0x92, (byte) 0xb8, (byte) 0xc3, (byte) 0x98, (byte) 0xfe,
    (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x1
  };

  private static byte[] signBytes(String chainId, SignedMsgType type, long height, long round) {
    return VoteSignBytes.of(
        chainId, type, height, round, Types.BlockID.getDefaultInstance(), GO_ZERO_TIME);
  }

  @Test
  void emptyVoteEncodesOnlyTheTimestamp() {
    byte[] want = concat(new byte[] {0xd}, ZERO_TIME_FIELD);
    assertThat(signBytes("", SignedMsgType.SIGNED_MSG_TYPE_UNKNOWN, 0, 0)).isEqualTo(want);
  }

  @Test
  void precommitUsesFixedSizeHeightAndRound() {
    byte[] want =
        concat(
            new byte[] {
              0x21, 0x8, 0x2, 0x11, 0x1, 0, 0, 0, 0, 0, 0, 0, 0x19, 0x1, 0, 0, 0, 0, 0, 0, 0
            },
            ZERO_TIME_FIELD);
    assertThat(signBytes("", SignedMsgType.SIGNED_MSG_TYPE_PRECOMMIT, 1, 1)).isEqualTo(want);
  }

  @Test
  void prevoteDiffersOnlyInType() {
    byte[] want =
        concat(
            new byte[] {
              0x21, 0x8, 0x1, 0x11, 0x1, 0, 0, 0, 0, 0, 0, 0, 0x19, 0x1, 0, 0, 0, 0, 0, 0, 0
            },
            ZERO_TIME_FIELD);
    assertThat(signBytes("", SignedMsgType.SIGNED_MSG_TYPE_PREVOTE, 1, 1)).isEqualTo(want);
  }

  @Test
  void unknownTypeIsOmitted() {
    byte[] want =
        concat(
            new byte[] {0x1f, 0x11, 0x1, 0, 0, 0, 0, 0, 0, 0, 0x19, 0x1, 0, 0, 0, 0, 0, 0, 0},
            ZERO_TIME_FIELD);
    assertThat(signBytes("", SignedMsgType.SIGNED_MSG_TYPE_UNKNOWN, 1, 1)).isEqualTo(want);
  }

  @Test
  void chainIdComesLast() {
    byte[] want =
        concat(
            new byte[] {0x2e, 0x11, 0x1, 0, 0, 0, 0, 0, 0, 0, 0x19, 0x1, 0, 0, 0, 0, 0, 0, 0},
            ZERO_TIME_FIELD,
            new byte[] {0x32, 0xd},
            "test_chain_id".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(signBytes("test_chain_id", SignedMsgType.SIGNED_MSG_TYPE_UNKNOWN, 1, 1))
        .isEqualTo(want);
  }

  @Test
  void nonZeroBlockIdIsIncludedAsCanonicalBlockId() {
    Types.BlockID id =
        Types.BlockID.newBuilder()
            .setHash(com.google.protobuf.ByteString.copyFrom(new byte[32]))
            .setPartSetHeader(Types.PartSetHeader.newBuilder().setTotal(1))
            .build();
    byte[] with =
        VoteSignBytes.of("c", SignedMsgType.SIGNED_MSG_TYPE_PRECOMMIT, 5, 0, id, GO_ZERO_TIME);
    byte[] without = signBytes("c", SignedMsgType.SIGNED_MSG_TYPE_PRECOMMIT, 5, 0);
    // field 4 (block_id) = 0x22, length 0x26: hash (2 + 32) and part_set_header (2 + 2)
    assertThat(with.length).isEqualTo(without.length + 2 + 0x26);
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }
}
