package dev.teeledger.indexer;

import dev.teeledger.chain.rpc.AbciEvent;
import dev.teeledger.chain.rpc.AbciTxResult;
import dev.teeledger.chain.rpc.BlockResponse;
import dev.teeledger.chain.rpc.BlockResults;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Turns one block ({@code /block}) and its results ({@code /block_results}) into the records
 * the indexer publishes. Pure and deterministic: the same block always gives the same records
 * with the same ids, which is what lets consumers de-duplicate re-published heights.
 *
 * <p>Rules (docs/indexer.md): every transaction gets a {@link TxRecord}; the events of a
 * transaction are published only if its code is 0 (a failed transaction changed no state, so
 * its events, if any, describe nothing that happened; the {@link TxRecord} still reports the
 * failure); all {@code finalize_block_events} are published. Event indexes count positions in
 * the node's list, so ids stay stable whatever is skipped.
 */
public final class BlockMapper {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private BlockMapper() {}

    /**
     * Maps one height.
     *
     * @throws IndexerException if the two answers do not describe the same block (heights or
     *     transaction counts disagree): a node that does this cannot be indexed safely
     */
    public static IndexedBlock map(String chainId, BlockResponse block, BlockResults results) throws IndexerException {
        long height = block.header().getHeight();
        if (height != results.height()) {
            throw new IndexerException("block is height " + height + " but block_results is height " + results.height());
        }
        if (!block.header().getChainId().equals(chainId)) {
            throw new IndexerException("block " + height + " is from chain '" + block.header().getChainId()
                    + "', expected '" + chainId + "'");
        }
        if (block.txs().size() != results.txResults().size()) {
            throw new IndexerException("block " + height + " has " + block.txs().size() + " txs but "
                    + results.txResults().size() + " tx results");
        }
        Instant time = Instant.ofEpochSecond(block.header().getTime().getSeconds(), block.header().getTime().getNanos());
        List<TxRecord> txs = new ArrayList<>();
        List<ChainEvent> events = new ArrayList<>();
        int failed = 0;
        for (int i = 0; i < block.txs().size(); i++) {
            AbciTxResult r = results.txResults().get(i);
            String hash = HEX.formatHex(sha256(block.txs().get(i)));
            txs.add(new TxRecord(chainId, height, i, hash, time, r.code(), r.codespace(), r.log(), r.events().size()));
            if (!r.ok()) {
                failed++;
                continue;
            }
            for (int e = 0; e < r.events().size(); e++) {
                events.add(event(chainId, new EventId(height, i, e), time, hash, r.events().get(e)));
            }
        }
        for (int e = 0; e < results.finalizeBlockEvents().size(); e++) {
            events.add(event(chainId, new EventId(height, EventId.BLOCK, e), time, null, results.finalizeBlockEvents().get(e)));
        }
        String blockHash = HEX.formatHex(block.blockId().getHash().toByteArray());
        return new IndexedBlock(
                new BlockRecord(chainId, height, blockHash, time, block.txs().size(), failed, events.size()), txs, events);
    }

    private static ChainEvent event(String chainId, EventId id, Instant time, String txHash, AbciEvent e) {
        List<ChainEvent.Attribute> attrs = new ArrayList<>(e.attributes().size());
        for (AbciEvent.Attribute a : e.attributes()) {
            attrs.add(new ChainEvent.Attribute(a.key() == null ? "" : a.key(), a.value() == null ? "" : a.value()));
        }
        return new ChainEvent(id, chainId, time, txHash, e.type(), EventRouting.key(e.type(), attrs), attrs);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
