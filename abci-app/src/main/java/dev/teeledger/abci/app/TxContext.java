package dev.teeledger.abci.app;

import dev.teeledger.abci.state.KvStore;
import java.util.ArrayList;
import java.util.List;
import tendermint.abci.Types.Event;
import tendermint.abci.Types.EventAttribute;

/**
 * What a transaction handler sees: the block's height and time (the chain's only
 * clock), the chain id, a store branch that is discarded if the handler rejects
 * the transaction, and a list collecting the events it emits. One context serves
 * one transaction on one thread.
 */
public final class TxContext {
    private final long height;
    private final BlockTime time;
    private final String chainId;
    private final KvStore store;
    private final List<Event> events = new ArrayList<>();

    public TxContext(long height, BlockTime time, String chainId, KvStore store) {
        this.height = height;
        this.time = time;
        this.chainId = chainId;
        this.store = store;
    }

    public long height() {
        return height;
    }

    public BlockTime time() {
        return time;
    }

    public String chainId() {
        return chainId;
    }

    public KvStore store() {
        return store;
    }

    /**
     * Records an ABCI event; {@code keyValues} alternates attribute keys and
     * values. Every attribute is indexed so that clients can subscribe to it.
     */
    public void emit(String type, String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("attributes come in key/value pairs");
        }
        Event.Builder event = Event.newBuilder().setType(type);
        for (int i = 0; i < keyValues.length; i += 2) {
            event.addAttributes(EventAttribute.newBuilder().setKey(keyValues[i]).setValue(keyValues[i + 1]).setIndex(true));
        }
        events.add(event.build());
    }

    public List<Event> events() {
        return List.copyOf(events);
    }
}
