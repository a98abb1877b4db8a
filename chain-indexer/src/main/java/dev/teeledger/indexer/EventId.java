package dev.teeledger.indexer;

/**
 * Position of one published event on the chain, the idempotency key consumers de-duplicate by:
 * block height, index of the transaction in the block ({@link #BLOCK} for a
 * {@code finalize_block_events} event) and index of the event within its transaction's (or the
 * block's) event list. Positions are fixed by consensus, so a re-published event always gets
 * the same id.
 *
 * <p>Text form (also the Kafka header {@code teeledger-id}): {@code <height>/<tx>/<event>},
 * with {@code b} in place of the tx index for block events, e.g. {@code 12/0/3}, {@code 12/b/0}.
 * Ids order as the indexer publishes: by height, then transaction events in tx order, then
 * block events.
 *
 * @param height block height, at least 1
 * @param txIndex transaction index in the block, or {@link #BLOCK}
 * @param eventIndex event index, at least 0
 */
public record EventId(long height, int txIndex, int eventIndex) implements Comparable<EventId> {
    /** {@link #txIndex()} of a block-level ({@code finalize_block_events}) event. */
    public static final int BLOCK = -1;

    public EventId {
        if (height < 1 || txIndex < BLOCK || eventIndex < 0) {
            throw new IllegalArgumentException("bad event position " + height + "/" + txIndex + "/" + eventIndex);
        }
    }

    /** Whether this is a block-level event. */
    public boolean blockEvent() {
        return txIndex == BLOCK;
    }

    /**
     * Parses the text form.
     *
     * @throws RecordFormatException if {@code text} is not {@code <height>/<tx|b>/<event>}
     */
    public static EventId parse(String text) throws RecordFormatException {
        String[] parts = text == null ? new String[0] : text.split("/", -1);
        if (parts.length != 3) {
            throw new RecordFormatException("event id must be <height>/<tx|b>/<event>: " + text);
        }
        try {
            long h = Long.parseLong(parts[0]);
            int tx = "b".equals(parts[1]) ? BLOCK : Integer.parseInt(parts[1]);
            if (tx == BLOCK && !"b".equals(parts[1])) {
                throw new RecordFormatException("bad tx index in event id " + text);
            }
            return new EventId(h, tx, Integer.parseInt(parts[2]));
        } catch (IllegalArgumentException e) {
            throw new RecordFormatException("bad event id " + text + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return height + "/" + (txIndex == BLOCK ? "b" : Integer.toString(txIndex)) + "/" + eventIndex;
    }

    /** Publication order: height, then tx events by tx index, then block events. */
    @Override
    public int compareTo(EventId o) {
        int c = Long.compare(height, o.height);
        if (c != 0) {
            return c;
        }
        c = Long.compare(txOrder(), o.txOrder());
        return c != 0 ? c : Integer.compare(eventIndex, o.eventIndex);
    }

    private long txOrder() {
        return txIndex == BLOCK ? Long.MAX_VALUE : txIndex;
    }
}
