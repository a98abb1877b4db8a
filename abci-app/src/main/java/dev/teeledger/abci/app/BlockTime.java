package dev.teeledger.abci.app;

/**
 * A block's BFT time as CometBFT gives it in {@code RequestFinalizeBlock.time}.
 * The state machine compares certificate validity and windows against this,
 * never against a wall clock.
 */
public record BlockTime(long seconds, int nanos) implements Comparable<BlockTime> {
    public static final BlockTime EPOCH = new BlockTime(0, 0);

    public static BlockTime of(com.google.protobuf.Timestamp ts) {
        return new BlockTime(ts.getSeconds(), ts.getNanos());
    }

    @Override
    public int compareTo(BlockTime o) {
        int c = Long.compare(seconds, o.seconds);
        return c != 0 ? c : Integer.compare(nanos, o.nanos);
    }
}
