package dev.teeledger.credit.service;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * The chain's credit index {@code mantissa / 2^exponent} and its integer arithmetic, as
 * docs/credits.md ("Rounding rules") specifies it: balance {@code floor(s × m / 2^e)}, shares
 * for a balance {@code ceil(b × 2^e / m)}, normalization {@code m' = floor(cap × 2^e' / S)} with
 * the smallest {@code e'} putting {@code m'} in {@code [2^61, 2^62)}, factor {@code I'/I} with 18
 * decimals rounded down. Services may not depend on abci-app, so this restates the rules; the
 * supply and ranking read models ({@link SupplyProjector}) fold events with it, and a test
 * compares their results with the chain's proven values.
 *
 * @param mantissa index numerator
 * @param exponent index denominator's power of two
 */
public record ShareIndexMath(long mantissa, int exponent) {
    /** Bits of precision the chain keeps in the mantissa after a normalization. */
    public static final int PRECISION = 61;
    /** The index before the first normalization: exactly 1. */
    public static final ShareIndexMath ONE = new ShareIndexMath(1L << PRECISION, PRECISION);

    public ShareIndexMath {
        if (mantissa <= 0 || exponent < 0) {
            throw new IllegalArgumentException("invalid credit index " + mantissa + "/2^" + exponent);
        }
    }

    /** {@code floor(shares × index)}. */
    public BigInteger value(BigInteger shares) {
        return shares.multiply(BigInteger.valueOf(mantissa)).shiftRight(exponent);
    }

    /** The fewest shares worth exactly {@code balance} (exact because the index is at most 1). */
    public BigInteger sharesFor(long balance) {
        BigInteger m = BigInteger.valueOf(mantissa);
        return BigInteger.valueOf(balance).shiftLeft(exponent).add(m).subtract(BigInteger.ONE).divide(m);
    }

    /** The index the chain sets to bring {@code totalShares} back to {@code cap}; requires totalShares > cap. */
    public static ShareIndexMath normalizedTo(long cap, BigInteger totalShares) {
        if (cap <= 0 || totalShares.compareTo(BigInteger.valueOf(cap)) <= 0) {
            throw new IllegalArgumentException("normalization needs total shares above the cap");
        }
        BigInteger c = BigInteger.valueOf(cap);
        BigInteger low = BigInteger.ONE.shiftLeft(PRECISION);
        int e = Math.max(0, PRECISION + totalShares.bitLength() - c.bitLength() - 1);
        BigInteger m = c.shiftLeft(e).divide(totalShares);
        while (m.compareTo(low) < 0) {
            e++;
            m = c.shiftLeft(e).divide(totalShares);
        }
        return new ShareIndexMath(m.longValueExact(), e);
    }

    /** {@code this / previous} with 18 decimals rounded down: the {@code factor} of {@code credit.normalized}. */
    public String factorFrom(ShareIndexMath previous) {
        BigInteger num = BigInteger.valueOf(mantissa).shiftLeft(previous.exponent);
        BigInteger den = BigInteger.valueOf(previous.mantissa).shiftLeft(exponent);
        return new BigDecimal(num).divide(new BigDecimal(den), 18, RoundingMode.DOWN).toPlainString();
    }

    /** {@code 2^exponent}, for balances computed in SQL ({@code div(shares × m, 2^e)}). */
    public BigDecimal denominator() {
        return new BigDecimal(BigInteger.ONE.shiftLeft(exponent));
    }
}
