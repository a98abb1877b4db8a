package dev.teeledger.chain.rpc;

import java.util.List;
import tendermint.types.Types;

/**
 * Answer to {@code /block}: the block id, the header, the transactions and the commit for the
 * previous block. Evidence is reported only by count, since the project's code never needs its
 * content.
 *
 * @param blockId id (hash and part-set header) of this block
 * @param header the header
 * @param txs raw transactions in block order
 * @param lastCommit commit for block {@code height - 1} (empty at height 1)
 * @param evidenceCount number of evidence items in the block
 */
public record BlockResponse(
    Types.BlockID blockId,
    Types.Header header,
    List<byte[]> txs,
    Types.Commit lastCommit,
    int evidenceCount) {

  public BlockResponse {
    txs = List.copyOf(txs);
  }
}
