package dev.teeledger.indexer;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.teeledger.chain.rpc.AbciEvent;
import dev.teeledger.chain.rpc.AbciTxResult;
import dev.teeledger.chain.rpc.BlockResponse;
import dev.teeledger.chain.rpc.BlockResults;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tendermint.types.Types;

/** Builds node answers for unit tests. */
final class Blocks {
    static final String CHAIN = "unit-chain";

    private Blocks() {}

    static AbciEvent event(String type, String... kv) {
        List<AbciEvent.Attribute> attrs = new ArrayList<>();
        for (int i = 0; i < kv.length; i += 2) {
            attrs.add(new AbciEvent.Attribute(kv[i], kv[i + 1], true));
        }
        return new AbciEvent(type, attrs);
    }

    static AbciTxResult tx(int code, AbciEvent... events) {
        return new AbciTxResult(code, new byte[0], "", "", 0, 0, List.of(events), "");
    }

    static BlockResponse block(long height, String chainId, int txCount) {
        List<byte[]> txs = new ArrayList<>();
        for (int i = 0; i < txCount; i++) {
            txs.add(("tx-" + height + "-" + i).getBytes(StandardCharsets.UTF_8));
        }
        Types.Header header = Types.Header.newBuilder().setHeight(height).setChainId(chainId)
                .setTime(Timestamp.newBuilder().setSeconds(1_800_000_000L + height).setNanos(5)).build();
        byte[] hash = new byte[32];
        hash[0] = (byte) height;
        hash[1] = (byte) (height >> 8);
        return new BlockResponse(Types.BlockID.newBuilder().setHash(ByteString.copyFrom(hash)).build(), header, txs,
                Types.Commit.getDefaultInstance(), 0);
    }

    static BlockResults results(long height, List<AbciTxResult> txs, AbciEvent... blockEvents) {
        return new BlockResults(height, txs, List.of(blockEvents), List.of(), new byte[32]);
    }

    /** A height with one successful tx carrying one event and (every third height) a block event. */
    static IndexedBlock simple(long height) {
        try {
            List<AbciTxResult> txs = List.of(tx(0, event("gov.param_changed", "name", "p" + height, "old", "1", "new", "2")));
            BlockResults r = height % 3 == 0
                    ? results(height, txs, event("credit.normalized", "old_total", "1", "new_total", "1", "factor", "1", "height", "" + height))
                    : results(height, txs);
            return BlockMapper.map(CHAIN, block(height, CHAIN, 1), r);
        } catch (IndexerException e) {
            throw new AssertionError(e);
        }
    }
}
