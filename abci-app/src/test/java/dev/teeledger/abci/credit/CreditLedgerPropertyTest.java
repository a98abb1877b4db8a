package dev.teeledger.abci.credit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teeledger.abci.app.BlockTime;
import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.state.MerkleStore;
import dev.teeledger.abci.state.StoreConfig;
import dev.teeledger.abci.state.WorkingSet;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.state.v1.NormalizationRecord;
import dev.teeledger.protocol.tx.v1.CreditReason;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random account sets and mint/burn sequences against the keeper, with an exact model of
 * every balance, interleaved with normalizations. After each normalization: the total is
 * within [cap - 1, cap], the sum of balances within [cap - accounts, cap], every balance is
 * within one unit of its exact rescaled value (so ratios hold), order is preserved and no
 * balance is negative. Between normalizations mint and burn are exact.
 */
class CreditLedgerPropertyTest {
    private static Path dir;
    private static MerkleStore store;

    @BeforeAll
    static void open() throws Exception {
        dir = Files.createTempDirectory("credit-prop");
        store = MerkleStore.open(dir, StoreConfig.keepRecent(0));
    }

    private static final java.util.concurrent.atomic.AtomicInteger NORMALIZATIONS = new java.util.concurrent.atomic.AtomicInteger();

    @AfterAll
    static void close() {
        store.close();
        // The generators must actually reach the interesting case.
        assertThat(NORMALIZATIONS.get()).isGreaterThan(300);
    }

    static LongStream seeds() {
        return LongStream.range(0, 300);
    }

    static byte[] id(int i) {
        byte[] b = new byte[32];
        b[0] = (byte) (i >> 8);
        b[1] = (byte) i;
        b[31] = 7;
        return b;
    }

    /** Amounts over many magnitudes, so both tiny and huge balances meet the index. */
    static long amount(Random r, long cap) {
        return switch (r.nextInt(4)) {
            case 0 -> r.nextInt(10);
            case 1 -> 1 + r.nextInt(1_000);
            case 2 -> 1 + (long) (r.nextDouble() * cap / 4);
            default -> 1 + (long) (r.nextDouble() * cap);
        };
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void normalizationKeepsTheBoundRatiosAndOrder(long seed) throws Rejection {
        Random r = new Random(seed);
        long cap = r.nextBoolean() ? 1_000 + r.nextInt(1_000_000) : 1_000_000_000L + (r.nextLong() & ((1L << 56) - 1));
        long trigger = 10_000 + r.nextInt(20_001);
        int n = 1 + r.nextInt(40);
        WorkingSet ws = store.newWorkingSet();
        long[] model = new long[n];
        for (int round = 0; round < 1 + r.nextInt(8); round++) {
            TxContext ctx = new TxContext(round + 1, BlockTime.EPOCH, "prop", ws);
            CreditKeeper keeper = new CreditKeeper(ctx);
            for (int op = 0; op < 1 + r.nextInt(60); op++) {
                int a = r.nextInt(n);
                long amt = amount(r, cap);
                if (r.nextInt(3) > 0) {
                    long totalBefore = keeper.total();
                    try {
                        BalanceChange c = keeper.mint(id(a), amt, CreditReason.CREDIT_REASON_ATTESTATION_INCOME);
                        assertThat(c.delta()).isEqualTo(amt);
                        model[a] += amt;
                    } catch (Rejection e) {
                        assertThat(e.code()).isEqualTo(ResultCode.CREDIT_OVERFLOW);
                        assertThat(totalBefore + amt).isGreaterThan(CreditKeeper.MAX_TOTAL - n);
                        assertThat(keeper.total()).isEqualTo(totalBefore);
                    }
                } else {
                    BalanceChange c = keeper.burn(id(a), amt, CreditReason.CREDIT_REASON_DISSENT_PENALTY);
                    assertThat(c.delta()).isEqualTo(-Math.min(amt, model[a]));
                    model[a] = Math.max(0, model[a] - amt);
                }
                assertThat(keeper.balance(id(a))).isEqualTo(model[a]);
            }
            checkSupply(keeper, n);
            for (int i = 0; i < n; i++) {
                assertThat(keeper.balance(id(i))).as("account %d", i).isEqualTo(model[i]);
            }
            ShareIndex before = keeper.index();
            long totalBefore = keeper.total();
            Optional<NormalizationRecord> rec = keeper.normalizeIfAbove(cap, trigger);
            boolean due = BigInteger.valueOf(totalBefore).multiply(BigInteger.valueOf(10_000))
                    .compareTo(BigInteger.valueOf(cap).multiply(BigInteger.valueOf(trigger))) > 0;
            assertThat(rec.isPresent()).as("normalized iff total above trigger").isEqualTo(due);
            if (!due) {
                continue;
            }
            NORMALIZATIONS.incrementAndGet();
            ShareIndex after = keeper.index();
            assertThat(CreditKeeper.compare(after, before)).isNegative();
            assertThat(keeper.total()).isBetween(cap - 1, cap);
            long sum = 0;
            int funded = 0;
            long[] next = new long[n];
            for (int i = 0; i < n; i++) {
                next[i] = keeper.balance(id(i));
                assertThat(next[i]).isNotNegative();
                sum += next[i];
                funded += next[i] > 0 || keeper.shares(id(i)).signum() > 0 ? 1 : 0;
                // |next - model × f| < 1 with f = after / before, in integers:
                // next × D - model × N in (-D, D) for f = N / D.
                BigInteger num = BigInteger.valueOf(after.mantissa()).shiftLeft(before.exponent());
                BigInteger den = BigInteger.valueOf(before.mantissa()).shiftLeft(after.exponent());
                BigInteger diff = BigInteger.valueOf(next[i]).multiply(den).subtract(BigInteger.valueOf(model[i]).multiply(num));
                assertThat(diff.abs()).as("account %d rescaled within one unit", i).isLessThan(den);
            }
            assertThat(sum).isBetween(cap - funded, cap);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (model[i] < model[j]) {
                        assertThat(next[i]).as("order %d < %d", i, j).isLessThanOrEqualTo(next[j]);
                    }
                }
            }
            System.arraycopy(next, 0, model, 0, n);
            checkSupply(keeper, n);
        }
    }

    /** total = floor(total shares × index), sum of balances ≤ total < sum + accounts. */
    private static void checkSupply(CreditKeeper keeper, int n) {
        BigInteger shares = BigInteger.ZERO;
        long sum = 0;
        int funded = 0;
        for (int i = 0; i < n; i++) {
            BigInteger s = keeper.shares(id(i));
            shares = shares.add(s);
            sum += keeper.balance(id(i));
            funded += s.signum() > 0 ? 1 : 0;
        }
        assertThat(keeper.totalShares()).isEqualTo(shares);
        assertThat(keeper.supply().getAccounts()).isEqualTo(funded);
        assertThat(keeper.total()).isEqualTo(keeper.index().balance(shares));
        assertThat(keeper.total()).isBetween(sum, sum + Math.max(0, funded - 1));
    }
}
