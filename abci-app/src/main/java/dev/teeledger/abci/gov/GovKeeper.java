package dev.teeledger.abci.gov;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.teeledger.abci.state.KvReader;
import dev.teeledger.abci.state.KvStore;
import dev.teeledger.protocol.gov.Param;
import dev.teeledger.protocol.state.v1.AccountNonce;
import dev.teeledger.protocol.state.v1.GovernanceKeySet;
import dev.teeledger.protocol.state.v1.ParamRecord;
import dev.teeledger.protocol.tx.TxLimits;

/**
 * Reads and writes governance state: the key set, the governance nonce and the
 * protocol parameters. Other modules read parameters through
 * {@link #param(Param)}; nothing else touches the {@code gov/} keys. A stored
 * value that does not decode is a broken invariant and halts the node
 * ({@link IllegalStateException}) rather than being guessed around.
 */
public final class GovKeeper {
    private final KvReader reader;

    /** Read-only access; write methods throw if the reader cannot write. */
    public GovKeeper(KvReader reader) {
        this.reader = reader;
    }

    private KvStore writer() {
        if (reader instanceof KvStore store) {
            return store;
        }
        throw new IllegalStateException("read-only governance keeper");
    }

    public GovernanceKeySet keySet() {
        byte[] raw = reader.get(GovKeys.KEY_SET);
        if (raw == null) {
            return GovernanceKeySet.getDefaultInstance();
        }
        try {
            return GovernanceKeySet.parseFrom(raw);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt governance key set", e);
        }
    }

    public void setKeySet(GovernanceKeySet keySet) {
        writer().put(GovKeys.KEY_SET, keySet.toByteArray());
    }

    public long nonce() {
        byte[] raw = reader.get(GovKeys.NONCE);
        if (raw == null) {
            return 0;
        }
        try {
            return AccountNonce.parseFrom(raw).getNext();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt governance nonce", e);
        }
    }

    public void setNonce(long next) {
        writer().put(GovKeys.NONCE, AccountNonce.newBuilder().setNext(next).build().toByteArray());
    }

    /** The parameter's current value; its default if never written. */
    public long param(Param p) {
        byte[] raw = reader.get(GovKeys.param(p.id()));
        if (raw == null) {
            return p.defaultValue();
        }
        try {
            return ParamRecord.parseFrom(raw).getValue();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt parameter " + p.id(), e);
        }
    }

    public void setParam(Param p, long value, long height) {
        if (!p.accepts(value)) {
            throw new IllegalArgumentException(p.id() + " out of range: " + value);
        }
        writer().put(GovKeys.param(p.id()),
                ParamRecord.newBuilder().setName(p.id()).setValue(value).setUpdatedHeight(height).build().toByteArray());
    }

    /** Envelope limits from the current parameters. */
    public TxLimits txLimits() {
        return new TxLimits((int) param(Param.TX_MAX_BYTES), (int) param(Param.TX_MAX_SIGNERS));
    }
}
