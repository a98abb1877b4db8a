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
 * (ADR 0010) the three records sit in the small {@code credit} sub-store, apart from the
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

    /**
     * Interleaved driver for a shared, loaded machine: builds one store per size in one JVM, then
     * measures {@code indexed} and {@code indexedStateOnly} in rounds that visit every size in
     * turn (rotating the order), so that load changing over time hits all sizes alike. Reports
     * per size the median and quartiles of thread CPU time per operation (less sensitive than
     * wall time to other processes taking the cores) and the median wall time.
     *
     * <p>Arguments: rounds, operations per round, then the sizes (default 30 2000 1000 10000
     * 100000 1000000).
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        int[] sizes = args.length > 2
                ? java.util.Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {1_000, 10_000, 100_000, 1_000_000};
        NormalizationBenchmark[] benches = new NormalizationBenchmark[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            benches[i] = new NormalizationBenchmark();
            benches[i].accounts = sizes[i];
            long t0 = System.nanoTime();
            benches[i].setUp();
            System.out.printf("setup %,d accounts: %.1f s%n", sizes[i], (System.nanoTime() - t0) / 1e9);
        }
        for (NormalizationBenchmark b : benches) {
            awaitQuietStore(b.store);
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        String[] modes = {"indexed", "indexedStateOnly"};
        double[][][] cpu = new double[modes.length][sizes.length][rounds];
        double[][][] wall = new double[modes.length][sizes.length][rounds];
        int sink = 0;
        for (int r = -5; r < rounds; r++) { // 5 warm-up rounds
            for (int k = 0; k < sizes.length; k++) {
                int i = (k + Math.floorMod(r, sizes.length)) % sizes.length;
                for (int m = 0; m < modes.length; m++) {
                    NormalizationBenchmark b = benches[i];
                    long c0 = threads.getCurrentThreadCpuTime();
                    long w0 = System.nanoTime();
                    for (int n = 0; n < perRound; n++) {
                        sink += m == 0 ? b.indexed()[0] : b.indexedStateOnly().size();
                    }
                    if (r >= 0) {
                        cpu[m][i][r] = (threads.getCurrentThreadCpuTime() - c0) / 1e3 / perRound;
                        wall[m][i][r] = (System.nanoTime() - w0) / 1e3 / perRound;
                    }
                }
            }
        }
        System.out.printf("%-18s %10s %12s %12s %12s %12s %10s%n", "mode", "accounts", "cpu p25 us",
                "cpu median", "cpu p75", "wall median", "vs first");
        for (int m = 0; m < modes.length; m++) {
            double base = 0;
            for (int i = 0; i < sizes.length; i++) {
                double[] c = cpu[m][i].clone();
                double[] w = wall[m][i].clone();
                java.util.Arrays.sort(c);
                java.util.Arrays.sort(w);
                double median = c[rounds / 2];
                if (i == 0) {
                    base = median;
                }
                System.out.printf("%-18s %10d %12.2f %12.2f %12.2f %12.2f %9.2fx%n", modes[m], sizes[i],
                        c[rounds / 4], median, c[(3 * rounds) / 4], w[rounds / 2], median / base);
            }
        }
        System.out.println("(sink " + (sink & 1) + ")");
        for (NormalizationBenchmark b : benches) {
            b.tearDown();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
