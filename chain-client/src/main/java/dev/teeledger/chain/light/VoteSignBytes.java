package dev.teeledger.chain.light;

import com.google.protobuf.Timestamp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import tendermint.types.Canonical;
import tendermint.types.Types;

/**
 * The bytes a CometBFT validator signs for a vote ({@code types/vote.go VoteSignBytes}): the
 * protobuf {@code CanonicalVote} prefixed with its length as an unsigned varint. Height and
 * round are sfixed64 in the canonical form, so the encoding does not depend on their size.
 * Used by {@link HeaderVerifier} for the precommits in a commit. Pure and thread-safe.
 */
public final class VoteSignBytes {

  private VoteSignBytes() {}

  /**
   * Sign bytes of the precommit behind one COMMIT signature: type PRECOMMIT, the commit's height,
   * round and block id, the signature's own timestamp, and the chain id.
   */
  public static byte[] forCommitSig(String chainId, Types.Commit commit, Types.CommitSig sig) {
    return of(
        chainId,
        Types.SignedMsgType.SIGNED_MSG_TYPE_PRECOMMIT,
        commit.getHeight(),
        commit.getRound(),
        commit.getBlockId(),
        sig.getTimestamp());
  }

  /**
   * Sign bytes of a vote. A zero block id (empty hash and part-set header, i.e. a vote for nil)
   * is left out, as {@code CanonicalizeBlockID} does; the timestamp is always written because it
   * is non-nullable in CometBFT.
   */
  public static byte[] of(
      String chainId,
      Types.SignedMsgType type,
      long height,
      long round,
      Types.BlockID blockId,
      Timestamp timestamp) {
    Canonical.CanonicalVote.Builder vote =
        Canonical.CanonicalVote.newBuilder()
            .setType(type)
            .setHeight(height)
            .setRound(round)
            .setTimestamp(timestamp)
            .setChainId(chainId);
    boolean zero =
        blockId.getHash().isEmpty()
            && blockId.getPartSetHeader().getTotal() == 0
            && blockId.getPartSetHeader().getHash().isEmpty();
    if (!zero) {
      vote.setBlockId(
          Canonical.CanonicalBlockID.newBuilder()
              .setHash(blockId.getHash())
              .setPartSetHeader(
                  Canonical.CanonicalPartSetHeader.newBuilder()
                      .setTotal(blockId.getPartSetHeader().getTotal())
                      .setHash(blockId.getPartSetHeader().getHash())));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try {
      vote.build().writeDelimitedTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory stream cannot fail", e);
    }
    return out.toByteArray();
  }
}
