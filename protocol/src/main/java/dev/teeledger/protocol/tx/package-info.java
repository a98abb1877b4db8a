/**
 * The transaction envelope: canonical decoding ({@link dev.teeledger.protocol.tx.Canonical},
 * {@link dev.teeledger.protocol.tx.TxCodec}), domain-separated sign bytes bound to the
 * chain id ({@link dev.teeledger.protocol.tx.SignBytes}), signature checks and a
 * client-side builder. The protobuf messages themselves are generated into
 * {@code dev.teeledger.protocol.tx.v1}.
 */
package dev.teeledger.protocol.tx;
