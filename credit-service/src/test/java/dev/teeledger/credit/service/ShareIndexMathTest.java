package dev.teeledger.credit.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chain's rounding rules as the supply fold replays them (docs/credits.md), and the
 * reconstruction of a normalization's index from its event (new total and factor only).
 */
class ShareIndexMathTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void mintsAndBurnsHitTheirTargetExactlyUnderAnyIndex(long seed) {
        Random rnd = new Random(seed);
        ShareIndexMath idx = ShareIndexMath.ONE;
        BigInteger total = BigInteger.ZERO;
        for (int round = 0; round < 50; round++) {
            long target = rnd.nextLong(1, 1L << 50);
            BigInteger shares = idx.sharesFor(target);
            assertThat(idx.value(shares).longValueExact()).isEqualTo(target);
            assertThat(idx.value(shares.subtract(BigInteger.ONE)).longValueExact()).isLessThan(target); // fewest shares
            total = total.add(shares);
            if (idx.value(total).compareTo(BigInteger.valueOf(1L << 40)) > 0) {
                long cap = rnd.nextLong(1_000, 1L << 40);
                ShareIndexMath next = ShareIndexMath.normalizedTo(cap, total);
                long newTotal = next.value(total).longValueExact();
                assertThat(newTotal).isBetween(cap - 1, cap);
                assertThat(next.mantissa()).isBetween(1L << 61, (1L << 62) - 1);
                assertThat(SupplyProjector.normalizedIndex(total, idx, newTotal, next.factorFrom(idx))).isEqualTo(next);
                idx = next;
            }
        }
    }

    @Test
    void normalizationOfTheTestChainIsReconstructed() {
        // 1 176 066 credit units (shares = units at index 1) normalized to a cap of 1 000 000.
        BigInteger shares = BigInteger.valueOf(1_176_066);
        ShareIndexMath next = ShareIndexMath.normalizedTo(1_000_000, shares);
        long newTotal = next.value(shares).longValueExact();
        assertThat(SupplyProjector.normalizedIndex(shares, ShareIndexMath.ONE, newTotal, next.factorFrom(ShareIndexMath.ONE)))
                .isEqualTo(next);
        assertThat(SupplyProjector.normalizedIndex(shares, ShareIndexMath.ONE, newTotal, "0.5")).isNotNull(); // factor mismatch: fallback
        assertThat(SupplyProjector.normalizedIndex(BigInteger.TEN, ShareIndexMath.ONE, 1_000_000, "0.5")).isNull();
    }
}
