package dev.teeledger.protocol.attestation;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The arithmetic of rounds, kept pure so that verifier agents, the chain and tests compute
 * exactly the same numbers. All of it is integer arithmetic on unsigned big-endian values.
 *
 * <p>Selection: a verifier holding {@code w} of the {@code S} shares snapshotted at opening is
 * selected when its VRF output {@code β}, read as an integer in [0, 2^256), satisfies
 * {@code β · S < τ · w · 2^256}, i.e. {@code β / 2^256 < τ · w / S}: a lottery whose odds are
 * its credit share times the expected committee size τ (capped at certainty). Summed over
 * verifiers, the expected committee size is at most τ.
 */
public final class Sortition {
    /** Domain tag of the VRF input; a proof for another purpose can never select. */
    public static final byte[] ALPHA_TAG = "teeledger/sortition/v1".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] SEED_TAG = "teeledger/round-seed/v1".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] BEACON_TAG = "teeledger/beacon/v1".getBytes(StandardCharsets.US_ASCII);
    /** 2^256: the range of VRF outputs and the fixed-point scale of the selection accumulator. */
    public static final BigInteger SCALE = BigInteger.ONE.shiftLeft(256);

    private Sortition() {}

    /**
     * The VRF input for a round: bound to the chain, the round and its seed, so that a proof
     * from another chain, another round or another attempt (a retry has a new seed) is useless.
     */
    public static byte[] alpha(String chainId, long roundId, byte[] seed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ALPHA_TAG);
        out.write(0);
        writeString(out, chainId);
        out.writeBytes(ByteBuffer.allocate(8).putLong(roundId).array());
        out.writeBytes(seed);
        return out.toByteArray();
    }

    /**
     * A round's seed. Its inputs are fixed only when the opening block is decided: the
     * beacon (every accepted vote's VRF output folded in, which no one can choose) and the
     * opening block's hash (which a proposer could grind, but not the beacon with it).
     */
    public static byte[] seed(String chainId, long roundId, int attempt, byte[] testee, byte[] beacon, byte[] blockHash) {
        MessageDigest sha = sha256();
        sha.update(SEED_TAG);
        sha.update((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeString(out, chainId);
        out.writeBytes(ByteBuffer.allocate(12).putLong(roundId).putInt(attempt).array());
        writeBytes(out, testee);
        writeBytes(out, beacon);
        writeBytes(out, blockHash);
        sha.update(out.toByteArray());
        return sha.digest();
    }

    /** The next beacon value after a vote whose VRF output is {@code vrfOutput}. */
    public static byte[] nextBeacon(byte[] beacon, byte[] vrfOutput) {
        MessageDigest sha = sha256();
        sha.update(BEACON_TAG);
        sha.update((byte) 0);
        sha.update(beacon);
        sha.update(vrfOutput);
        return sha.digest();
    }

    /** Whether a VRF output selects a verifier of weight {@code weight} out of {@code totalShares}. */
    public static boolean selected(byte[] vrfOutput, BigInteger weight, BigInteger totalShares, int committeeSize) {
        if (weight.signum() <= 0 || totalShares.signum() <= 0) {
            return false;
        }
        BigInteger beta = new BigInteger(1, vrfOutput);
        BigInteger lhs = beta.multiply(totalShares);
        BigInteger rhs = BigInteger.valueOf(committeeSize).multiply(weight).shiftLeft(256);
        return lhs.compareTo(rhs) < 0;
    }

    /** The selection probability {@code min(1, τ·w/S)} as a double, for reports and tests only. */
    public static double probability(BigInteger weight, BigInteger totalShares, int committeeSize) {
        if (totalShares.signum() <= 0) {
            return 0;
        }
        double p = committeeSize * weight.doubleValue() / totalShares.doubleValue();
        return Math.min(1.0, p);
    }

    /** Votes a decision needs: {@code ceil(τ · quorumBps / 10000)}, at least one. */
    public static int quorumVotes(int committeeSize, long quorumBps) {
        long q = (committeeSize * quorumBps + 9_999) / 10_000;
        return (int) Math.max(1, q);
    }

    /** What one opened round adds to the selection accumulator: {@code floor(τ·2^256/S)}. */
    public static BigInteger accumulatorStep(int committeeSize, BigInteger totalShares) {
        if (totalShares.signum() <= 0) {
            return BigInteger.ZERO;
        }
        return BigInteger.valueOf(committeeSize).shiftLeft(256).divide(totalShares);
    }

    /**
     * Votes a verifier with {@code shares} owed over an accumulator interval: its expected
     * number of selections {@code floor(shares·ΔA/2^256)}, never more than the rounds opened.
     */
    public static long owedVotes(BigInteger shares, BigInteger accumulatorDelta, long roundsDelta) {
        BigInteger owed = shares.multiply(accumulatorDelta).shiftRight(256);
        return owed.min(BigInteger.valueOf(roundsDelta)).longValueExact();
    }

    /** The outcome of a tally: > 2/3 of the cast weight and at least {@code quorum} votes. */
    public static Outcome outcome(BigInteger passWeight, BigInteger failWeight, int votes, int quorum) {
        if (votes < quorum) {
            return Outcome.INCONCLUSIVE;
        }
        BigInteger cast = passWeight.add(failWeight);
        BigInteger twoThirds = cast.shiftLeft(1);
        if (passWeight.multiply(BigInteger.valueOf(3)).compareTo(twoThirds) > 0) {
            return Outcome.PASS;
        }
        if (failWeight.multiply(BigInteger.valueOf(3)).compareTo(twoThirds) > 0) {
            return Outcome.FAIL;
        }
        return Outcome.INCONCLUSIVE;
    }

    /** Big-endian unsigned bytes of a non-negative integer, without a sign byte (empty for 0). */
    public static byte[] unsigned(BigInteger value) {
        if (value.signum() < 0) {
            throw new IllegalArgumentException("negative");
        }
        byte[] b = value.toByteArray();
        return b.length > 1 && b[0] == 0 ? java.util.Arrays.copyOfRange(b, 1, b.length) : (value.signum() == 0 ? new byte[0] : b);
    }

    /** Reads big-endian unsigned bytes (empty = 0). */
    public static BigInteger unsigned(com.google.protobuf.ByteString bytes) {
        return new BigInteger(1, bytes.toByteArray());
    }

    /** What a closed round decided. */
    public enum Outcome { PASS, FAIL, INCONCLUSIVE }

    private static void writeString(ByteArrayOutputStream out, String s) {
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBytes(ByteArrayOutputStream out, byte[] b) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
        out.writeBytes(b);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
