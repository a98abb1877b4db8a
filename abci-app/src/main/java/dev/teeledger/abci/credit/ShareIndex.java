package dev.teeledger.abci.credit;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Arrays;

/**
 * The global credit index {@code mantissa / 2^exponent} and the integer arithmetic
 * between shares and balances. A balance is {@code floor(shares × mantissa / 2^exponent)}.
 * The index starts at exactly 1 ({@code 2^61 / 2^61}) and only ever decreases, so it
 * stays in (0, 1]; because of that every integer balance has an exact share count
 * ({@link #sharesFor}), and mint and burn change a balance by exactly the amount.
 * Normalization keeps the mantissa in [2^61, 2^62) by raising the exponent, so the
 * index keeps 61 bits of precision however far inflation has taken it; shares are
 * unbounded integers and grow by about one bit per halving of the index.
 *
 * <p>Pure, deterministic, no floating point. Used by {@link CreditKeeper} and by
 * clients that turn a proven share count into a balance.
 */
public record ShareIndex(long mantissa, int exponent) {
    /** Bits of precision of the mantissa after normalization. */
    public static final int PRECISION = 61;
    public static final ShareIndex ONE = new ShareIndex(1L << PRECISION, PRECISION);

    public ShareIndex {
        if (mantissa <= 0 || exponent < 0 || exponent > 1_000_000) {
            throw new IllegalStateException("invalid credit index " + mantissa + "/2^" + exponent);
        }
        if (BigInteger.valueOf(mantissa).compareTo(BigInteger.ONE.shiftLeft(exponent)) > 0) {
            throw new IllegalStateException("credit index above 1: " + mantissa + "/2^" + exponent);
        }
    }

    /** {@code floor(shares × index)}, which may exceed a long only for a corrupt state. */
    public BigInteger value(BigInteger shares) {
        return shares.multiply(BigInteger.valueOf(mantissa)).shiftRight(exponent);
    }

    /** The balance of {@code shares}; a balance beyond a long is a broken invariant. */
    public long balance(BigInteger shares) {
        BigInteger v = value(shares);
        if (v.bitLength() > 63) {
            throw new IllegalStateException("credit balance beyond 64 bits");
        }
        return v.longValueExact();
    }

    /**
     * The fewest shares whose balance is exactly {@code balance}:
     * {@code ceil(balance × 2^exponent / mantissa)}. Exact because the index is at most 1:
     * {@code ceil(x) × index < (x + 1) × index ≤ balance + 1} with {@code x = balance / index}.
     */
    public BigInteger sharesFor(long balance) {
        if (balance < 0) {
            throw new IllegalArgumentException("negative balance");
        }
        BigInteger m = BigInteger.valueOf(mantissa);
        return BigInteger.valueOf(balance).shiftLeft(exponent).add(m).subtract(BigInteger.ONE).divide(m);
    }

    /**
     * The index that values {@code totalShares} at (just under or exactly) {@code cap}:
     * {@code floor(cap × 2^e / totalShares) / 2^e} with the smallest {@code e} that puts the
     * mantissa in [2^61, 2^62). Requires {@code totalShares > cap}, which holds whenever the
     * total exceeds the cap (the index is at most 1), so the new index is below 1.
     */
    public static ShareIndex normalizedTo(long cap, BigInteger totalShares) {
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
        return new ShareIndex(m.longValueExact(), e);
    }

    /** {@code this / previous} as a decimal with 18 places, rounded down (for events and logs). */
    public String factorFrom(ShareIndex previous) {
        BigInteger num = BigInteger.valueOf(mantissa).shiftLeft(previous.exponent);
        BigInteger den = BigInteger.valueOf(previous.mantissa).shiftLeft(exponent);
        return new BigDecimal(num).divide(new BigDecimal(den), 18, RoundingMode.DOWN).toPlainString();
    }

    /** Shares as stored: unsigned big-endian without leading zero bytes; zero is empty. */
    public static byte[] encodeShares(BigInteger shares) {
        if (shares.signum() < 0) {
            throw new IllegalStateException("negative shares");
        }
        if (shares.signum() == 0) {
            return new byte[0];
        }
        byte[] raw = shares.toByteArray();
        return raw[0] == 0 ? Arrays.copyOfRange(raw, 1, raw.length) : raw;
    }

    /** Inverse of {@link #encodeShares}; a leading zero byte is a broken invariant. */
    public static BigInteger decodeShares(byte[] raw) {
        if (raw.length > 0 && raw[0] == 0) {
            throw new IllegalStateException("non-canonical share encoding");
        }
        return new BigInteger(1, raw);
    }
}
