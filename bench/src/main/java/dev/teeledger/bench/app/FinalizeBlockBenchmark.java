package dev.teeledger.bench.app;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.teeledger.abci.LedgerNode;
import dev.teeledger.abci.app.LedgerApplication;
import dev.teeledger.abci.state.MerkleStore;
import dev.teeledger.abci.state.StoreConfig;
import dev.teeledger.abci.state.WorkingSet;
import dev.teeledger.protocol.sig.Ed25519KeyPair;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.ParamChange;
import dev.teeledger.protocol.tx.v1.ParamValue;
import dev.teeledger.protocol.tx.v1.TxType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import tendermint.abci.Types.RequestCheckTx;
import tendermint.abci.Types.RequestCommit;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.RequestInitChain;
import tendermint.abci.Types.ResponseFinalizeBlock;

/**
 * In-process FinalizeBlock + Commit throughput of signed transactions over a state
 * of {@code stateKeys} keys. Each invocation executes one block of {@link #TXS}
 * Ed25519-signed governance parameter changes (the only single-signer
 * transaction the chain core has; each writes two keys) and commits it.
 *
 * <p>{@code pipeline=checked}: every transaction went through CheckTx first, as
 * it does on a live node, so FinalizeBlock finds its signature in the verified
 * cache. {@code pipeline=cold}: no CheckTx; FinalizeBlock verifies every
 * signature, spread over the verifier pool. Score: microseconds per transaction
 * (tx/s = 10^6 / score).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FinalizeBlockBenchmark {
    static final int TXS = 10_000;
    private static final String CHAIN = "bench-chain";

    @Param({"1000000"})
    public int stateKeys;

    @Param({"checked", "cold"})
    public String pipeline;

    private Path dir;
    private MerkleStore store;
    private ExecutorService pool;
    private LedgerApplication app;
    private final Ed25519KeyPair governor = Ed25519KeyPair.fromSeed(new byte[32]);
    private long height;
    private long nonce;
    private List<ByteString> block;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("bench-finalize");
        store = MerkleStore.open(dir, StoreConfig.keepRecent(2));
        pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        app = LedgerNode.createApplication(store, pool);
        String genesis = "{\"governance\":{\"threshold\":1,\"keys\":[\""
                + Base64.getEncoder().encodeToString(governor.publicKey().getKey().toByteArray()) + "\"]}}";
        app.initChain(RequestInitChain.newBuilder().setChainId(CHAIN).setInitialHeight(1)
                .setAppStateBytes(ByteString.copyFromUtf8(genesis)).build());
        finalizeAndCommit(List.of());
        // Filler state, committed in slices straight through the store: the app only
        // needs the tree to be this large, not these particular keys.
        int slice = 100_000;
        for (int done = 0; done < stateKeys; done += slice) {
            WorkingSet ws = store.newWorkingSet();
            for (int i = done; i < Math.min(stateKeys, done + slice); i++) {
                ws.put(("bench/filler/" + i).getBytes(StandardCharsets.UTF_8), ("value-" + i).getBytes(StandardCharsets.UTF_8));
            }
            store.commit(ws, ++height, store.appMetadata());
        }
        app = LedgerNode.createApplication(store, pool);
    }

    @Setup(Level.Invocation)
    public void prepareBlock() {
        block = new ArrayList<>(TXS);
        for (int i = 0; i < TXS; i++) {
            byte[] tx = TxBuilder.forChain(CHAIN).type(TxType.TX_TYPE_GOV_PARAM_CHANGE)
                    .payload(ParamChange.newBuilder().addChanges(ParamValue.newBuilder()
                            .setName("tx.max_signers").setValue(Long.toString(1 + (nonce + i) % 64))).build())
                    .nonce(nonce + i).signer(governor).build();
            block.add(ByteString.copyFrom(tx));
        }
        if (pipeline.equals("checked")) {
            for (ByteString tx : block) {
                int code = app.checkTx(RequestCheckTx.newBuilder().setTx(tx).build()).getCode();
                if (code != 0) {
                    throw new IllegalStateException("CheckTx rejected a benchmark tx: " + code);
                }
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(TXS)
    public ResponseFinalizeBlock finalizeAndCommit() {
        ResponseFinalizeBlock res = finalizeAndCommit(block);
        nonce += TXS;
        return res;
    }

    private ResponseFinalizeBlock finalizeAndCommit(List<ByteString> txs) {
        height++;
        ResponseFinalizeBlock res = app.finalizeBlock(RequestFinalizeBlock.newBuilder().setHeight(height)
                .setTime(Timestamp.newBuilder().setSeconds(1_700_000_000L + height)).addAllTxs(txs).build());
        for (int i = 0; i < res.getTxResultsCount(); i++) {
            if (res.getTxResults(i).getCode() != 0) {
                throw new IllegalStateException("tx " + i + " failed: " + res.getTxResults(i).getLog());
            }
        }
        app.commit(RequestCommit.getDefaultInstance());
        return res;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        pool.shutdownNow();
        store.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
