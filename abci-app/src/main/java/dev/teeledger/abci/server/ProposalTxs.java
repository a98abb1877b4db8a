package dev.teeledger.abci.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Sizes transactions the way CometBFT v0.38 checks a PrepareProposal answer. CometBFT's
 * {@code types.Txs.Validate(maxDataBytes)} (called from {@code CreateProposalBlock}) sums, per
 * tx, the protobuf size of {@code Data{txs: [tx]}}: one tag byte, the varint of the length and
 * the bytes. A proposal over {@code RequestPrepareProposal.max_tx_bytes} by that measure is
 * dropped by the proposer. Pure functions; thread-safe.
 */
public final class ProposalTxs {

  private ProposalTxs() {}

  /** Bytes {@code tx} counts for against {@code max_tx_bytes}: tag + length varint + body. */
  public static long encodedSize(ByteString tx) {
    return 1L + CodedOutputStream.computeUInt32SizeNoTag(tx.size()) + tx.size();
  }

  /**
   * The longest prefix of {@code txs}, in order, whose summed {@link #encodedSize} does not
   * exceed {@code maxTxBytes}. Stops at the first tx that does not fit, so the proposal keeps
   * the mempool's order; a negative limit yields an empty list.
   */
  public static List<ByteString> prefixWithin(List<ByteString> txs, long maxTxBytes) {
    List<ByteString> kept = new ArrayList<>(txs.size());
    long total = 0;
    for (ByteString tx : txs) {
      total += encodedSize(tx);
      if (total > maxTxBytes) {
        break;
      }
      kept.add(tx);
    }
    return kept;
  }
}
