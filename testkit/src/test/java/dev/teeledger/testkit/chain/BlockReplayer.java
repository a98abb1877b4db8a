package dev.teeledger.testkit.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.teeledger.abci.LedgerNode;
import dev.teeledger.abci.app.LedgerApplication;
import dev.teeledger.abci.state.MerkleStore;
import dev.teeledger.abci.state.StoreConfig;
import dev.teeledger.testkit.cometbft.LocalChain;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import tendermint.abci.Types.RequestCommit;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.RequestInitChain;

/**
 * Replays a chain's genesis and blocks, fetched over RPC, into a fresh in-process
 * application: the "run without the crash" against which a node's app hashes
 * are compared.
 */
final class BlockReplayer {
    private BlockReplayer() {}

    /** App hashes after blocks 1..lastHeight, index 0 = block 1. */
    static List<byte[]> replay(LocalChain chain, long lastHeight, Path storeDir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode genesis = chain.rpc("/genesis").path("result").path("genesis");
        List<byte[]> hashes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (MerkleStore store = MerkleStore.open(storeDir, StoreConfig.keepRecent(0))) {
            LedgerApplication app = LedgerNode.createApplication(store, pool);
            app.initChain(RequestInitChain.newBuilder()
                    .setChainId(genesis.path("chain_id").asText())
                    .setInitialHeight(genesis.path("initial_height").asLong(1))
                    .setAppStateBytes(ByteString.copyFrom(json.writeValueAsBytes(genesis.path("app_state"))))
                    .build());
            for (long h = 1; h <= lastHeight; h++) {
                JsonNode result = chain.rpc("/block?height=" + h).path("result");
                JsonNode block = result.path("block");
                Instant time = Instant.parse(block.path("header").path("time").asText());
                // The block hash is an input of the state (attestation round seeds): replay it too.
                RequestFinalizeBlock.Builder req = RequestFinalizeBlock.newBuilder().setHeight(h)
                        .setHash(ByteString.copyFrom(HexFormat.of().parseHex(result.path("block_id").path("hash").asText())))
                        .setTime(Timestamp.newBuilder().setSeconds(time.getEpochSecond()).setNanos(time.getNano()));
                for (JsonNode tx : block.path("data").path("txs")) {
                    req.addTxs(ByteString.copyFrom(Base64.getDecoder().decode(tx.asText())));
                }
                hashes.add(app.finalizeBlock(req.build()).getAppHash().toByteArray());
                app.commit(RequestCommit.getDefaultInstance());
            }
        } finally {
            pool.shutdownNow();
        }
        return hashes;
    }
}
