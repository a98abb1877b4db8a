package dev.teeledger.chain.rpc;

import java.util.List;

/**
 * The outcome of running one transaction, either in CheckTx or in FinalizeBlock
 * ({@code ExecTxResult}); both have this shape in CometBFT v0.38 JSON.
 *
 * @param code ABCI result code (0 = success)
 * @param data result data, possibly empty
 * @param log human-readable log (not covered by consensus)
 * @param info extra information (not covered by consensus)
 * @param gasWanted gas requested
 * @param gasUsed gas consumed
 * @param events events emitted
 * @param codespace namespace of {@code code}
 */
public record AbciTxResult(
    int code,
    byte[] data,
    String log,
    String info,
    long gasWanted,
    long gasUsed,
    List<AbciEvent> events,
    String codespace) {

  public AbciTxResult {
    events = List.copyOf(events);
  }

  /** Whether {@code code} is 0. */
  public boolean ok() {
    return code == 0;
  }
}
