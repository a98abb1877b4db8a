package dev.teeledger.protocol.tx;

/**
 * Size bounds applied while decoding a transaction. The chain takes them from
 * governance parameters ({@code tx.max_bytes}, {@code tx.max_signers}).
 */
public record TxLimits(int maxTxBytes, int maxSigners) {
    public static final int MAX_MEMO_BYTES = 256;
    /** Bounds used before any parameter is known (tools, tests). */
    public static final TxLimits DEFAULT = new TxLimits(65_536, 16);

    public TxLimits {
        if (maxTxBytes < 1 || maxSigners < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }
}
