package dev.teeledger.bench.credit;

import com.google.protobuf.ByteString;
import dev.teeledger.abci.app.BlockTime;
import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.credit.CreditKeeper;
import dev.teeledger.abci.credit.CreditKeys;
import dev.teeledger.abci.credit.ShareIndex;
import dev.teeledger.abci.state.MerkleStore;
import dev.teeledger.abci.state.StoreConfig;
import dev.teeledger.abci.state.WorkingSet;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.state.v1.CreditAccount;
import dev.teeledger.protocol.tx.v1.CreditReason;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cost of one normalization as block execution pays it (the state change plus the app
 * hash of the block's working set), over a committed store of {@code accounts} funded HSM
 * accounts whose total is 120 % of the cap.
 *
 * <p>{@code indexed}: {@link CreditKeeper#normalizeIfAbove}, which rewrites the index, the
 * supply and the normalization record. {@code naiveRescale}: the baseline design with
 * balances stored per account, which must scan every account and rewrite it with its
 * rescaled value. {@code indexedStateOnly}: {@code indexed} without the app hash, to
 * separate the module's own work from the Merkle-path cost that any write pays (a tree of
 * n leaves is about log2 n levels deep). Each invocation starts a fresh working set over the same committed
 * state and drops it afterwards, so every invocation does the same work. Since the multistore
 * (ADR 0008) the three records sit in the small {@code credit} sub-store, apart from the
 * accounts, so {@code indexed} should cost the same at every size; setup waits for RocksDB's
 * background compaction to finish so that it does not share the CPU with the measurement.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class NormalizationBenchmark {
    static final long PER_ACCOUNT = 1_000;
    static final int SLICE = 50_000;

    @Param({"1000", "10000", "100000", "1000000"})
    public int accounts;

    private Path dir;
    private MerkleStore store;
    private long cap;

    static byte[] hsm(int i) {
        byte[] id = new byte[32];
        for (int b = 0; b < 4; b++) {
            id[b] = (byte) (i >>> (24 - 8 * b));
        }
        id[31] = 1;
        return id;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("bench-normalization");
        store = MerkleStore.open(dir, StoreConfig.keepRecent(1));
        long height = 0;
        // Accounts are minted through the keeper in slices, each committed to the store,
        // so the tree really holds every account.
        for (int done = 0; done < accounts; done += SLICE) {
            WorkingSet ws = store.newWorkingSet();
            TxContext ctx = new TxContext(height + 1, BlockTime.EPOCH, "bench", ws);
            CreditKeeper keeper = new CreditKeeper(ctx);
            keeper.initialize(height + 1);
            for (int i = done; i < Math.min(accounts, done + SLICE); i++) {
                keeper.mint(hsm(i), PER_ACCOUNT + i % 7, CreditReason.CREDIT_REASON_ATTESTATION_INCOME);
            }
            store.commit(ws, ++height, null);
        }
        long total = new CreditKeeper(store.latest()).total();
        cap = total * 10 / 12;
        awaitQuietStore(store);
    }

    /**
     * Waits until RocksDB has no flush or compaction running or pending. Loading 10^5 or more
     * accounts leaves minutes of background compaction behind; measured alongside it, a 10 µs
     * operation on a 2-core machine reports the compaction threads' CPU use, not its own cost.
     */
    static void awaitQuietStore(MerkleStore store) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        int quiet = 0;
        while (quiet < 5 && System.nanoTime() < deadline) {
            quiet = store.stats().backgroundJobs() == 0 ? quiet + 1 : 0;
            Thread.sleep(200);
        }
    }

    @Benchmark
    public byte[] indexed() {
        WorkingSet ws = store.newWorkingSet();
        TxContext ctx = new TxContext(store.lastVersion() + 1, BlockTime.EPOCH, "bench", ws);
        if (new CreditKeeper(ctx).normalizeIfAbove(cap, 11_000).isEmpty()) {
            throw new IllegalStateException("normalization not due");
        }
        return ws.rootHash();
    }

    /** The state change alone, without the app hash: what the credit module itself costs. */
    @Benchmark
    public WorkingSet indexedStateOnly() {
        WorkingSet ws = store.newWorkingSet();
        TxContext ctx = new TxContext(store.lastVersion() + 1, BlockTime.EPOCH, "bench", ws);
        if (new CreditKeeper(ctx).normalizeIfAbove(cap, 11_000).isEmpty()) {
            throw new IllegalStateException("normalization not due");
        }
        return ws;
    }

    @Benchmark
    public byte[] naiveRescale() throws Rejection {
        WorkingSet ws = store.newWorkingSet();
        CreditKeeper reader = new CreditKeeper(ws);
        ShareIndex next = ShareIndex.normalizedTo(cap, reader.totalShares());
        BigInteger mantissa = BigInteger.valueOf(next.mantissa());
        byte[] prefix = CreditKeys.ACCOUNT_PREFIX.getBytes(StandardCharsets.UTF_8);
        ws.scan(prefix, (key, value) -> {
            try {
                BigInteger balance = ShareIndex.decodeShares(CreditAccount.parseFrom(value).getShares().toByteArray());
                BigInteger rescaled = balance.multiply(mantissa).shiftRight(next.exponent());
                ws.put(key, CreditAccount.newBuilder().setShares(ByteString.copyFrom(ShareIndex.encodeShares(rescaled)))
                        .setUpdatedHeight(store.lastVersion() + 1).build().toByteArray());
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
        });
        return ws.rootHash();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
