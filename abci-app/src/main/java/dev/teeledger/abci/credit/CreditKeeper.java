package dev.teeledger.abci.credit;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.state.KvReader;
import dev.teeledger.abci.state.KvStore;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.state.v1.AccountNonce;
import dev.teeledger.protocol.state.v1.CreditAccount;
import dev.teeledger.protocol.state.v1.CreditIndex;
import dev.teeledger.protocol.state.v1.CreditReporter;
import dev.teeledger.protocol.state.v1.CreditSupply;
import dev.teeledger.protocol.state.v1.NormalizationRecord;
import dev.teeledger.protocol.state.v1.ReportReceipt;
import dev.teeledger.protocol.state.v1.ShareCheckpoint;
import dev.teeledger.protocol.state.v1.ShareHistory;
import dev.teeledger.protocol.tx.TxCodec;
import dev.teeledger.protocol.tx.v1.CreditReason;
import dev.teeledger.protocol.tx.v1.PublicKey;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Reads and writes credit state; the only class that touches the {@link CreditKeys}.
 * Balances are shares of the global {@link ShareIndex}; the supply record keeps the
 * total shares, the number of funded accounts and the total
 * {@code floor(total shares × index)}, all updated in O(1) per change. Normalization
 * replaces the index and the supply record and nothing else.
 *
 * <p>Constructed per transaction or per end-block hook, over that step's store. With a
 * {@link TxContext} it writes and emits {@code credit.balance_changed} and
 * {@code credit.normalized} events; with a bare {@link KvReader} it is read-only. A stored
 * value that does not decode halts the node ({@link IllegalStateException}).
 */
public final class CreditKeeper implements CreditLedger {
    /** Largest balance and largest total: 2^62, so that totals and sums stay in a long. */
    public static final long MAX_TOTAL = 1L << 62;
    /**
     * Blocks of share history kept per account, so that {@link #sharesAt} answers for any
     * height this far back. Longer than the longest attestation window (500 blocks), the
     * oldest opening a vote can refer to.
     */
    public static final long SHARE_HISTORY_BLOCKS = 1024;

    private static final HexFormat HEX = HexFormat.of();

    private final KvReader reader;
    private final TxContext ctx;

    /** Read-only access. */
    public CreditKeeper(KvReader reader) {
        this.reader = reader;
        this.ctx = null;
    }

    /** Read-write access to the context's store; events go to the context. */
    public CreditKeeper(TxContext ctx) {
        this.reader = ctx.store();
        this.ctx = ctx;
    }

    private KvStore writer() {
        if (ctx == null) {
            throw new IllegalStateException("read-only credit keeper");
        }
        return ctx.store();
    }

    // --- index and supply ---

    public ShareIndex index() {
        byte[] raw = reader.get(CreditKeys.INDEX);
        if (raw == null) {
            return ShareIndex.ONE;
        }
        CreditIndex idx = parse(CreditIndex.parser(), raw, "credit index");
        return new ShareIndex(idx.getMantissa(), idx.getExponent());
    }

    public CreditSupply supply() {
        byte[] raw = reader.get(CreditKeys.SUPPLY);
        return raw == null ? CreditSupply.getDefaultInstance() : parse(CreditSupply.parser(), raw, "credit supply");
    }

    public BigInteger totalShares() {
        return ShareIndex.decodeShares(supply().getTotalShares().toByteArray());
    }

    @Override
    public long total() {
        return supply().getTotal();
    }

    /** Writes the initial index and an empty supply if absent, so both are provable from block 1. */
    public void initialize(long height) {
        if (reader.get(CreditKeys.INDEX) == null) {
            writeIndex(ShareIndex.ONE, height);
        }
        if (reader.get(CreditKeys.SUPPLY) == null) {
            writer().put(CreditKeys.SUPPLY, CreditSupply.getDefaultInstance().toByteArray());
        }
    }

    private void writeIndex(ShareIndex index, long height) {
        writer().put(CreditKeys.INDEX, toRecord(index, height).toByteArray());
    }

    private static CreditIndex toRecord(ShareIndex index, long height) {
        return CreditIndex.newBuilder().setMantissa(index.mantissa()).setExponent(index.exponent())
                .setUpdatedHeight(height).build();
    }

    // --- balances ---

    public BigInteger shares(byte[] hsmId) {
        byte[] raw = reader.get(CreditKeys.account(checkId(hsmId)));
        if (raw == null) {
            return BigInteger.ZERO;
        }
        return ShareIndex.decodeShares(parse(CreditAccount.parser(), raw, "credit account").getShares().toByteArray());
    }

    @Override
    public long balance(byte[] hsmId) {
        return index().balance(shares(hsmId));
    }

    @Override
    public BalanceChange mint(byte[] hsmId, long amount, CreditReason reason) throws Rejection {
        if (amount < 0) {
            throw new IllegalArgumentException("negative mint");
        }
        ShareIndex index = index();
        long old = index.balance(shares(hsmId));
        if (amount > MAX_TOTAL - old) {
            throw new Rejection(ResultCode.CREDIT_OVERFLOW, "balance " + old + " + " + amount);
        }
        return setBalance(hsmId, index, old, old + amount, reason);
    }

    @Override
    public BalanceChange burn(byte[] hsmId, long amount, CreditReason reason) {
        if (amount < 0) {
            throw new IllegalArgumentException("negative burn");
        }
        ShareIndex index = index();
        long old = index.balance(shares(hsmId));
        try {
            return setBalance(hsmId, index, old, Math.max(0, old - amount), reason);
        } catch (Rejection r) {
            // A burn lowers the total, so the only rejection (overflow) cannot happen.
            throw new IllegalStateException("burn rejected: " + r.getMessage(), r);
        }
    }

    private BalanceChange setBalance(byte[] hsmId, ShareIndex index, long old, long target, CreditReason reason) throws Rejection {
        BigInteger before = shares(hsmId);
        BigInteger after = target == 0 ? BigInteger.ZERO : index.sharesFor(target);
        if (index.balance(after) != target) {
            throw new IllegalStateException("share arithmetic broke: " + target + " -> " + index.balance(after));
        }
        CreditSupply supply = supply();
        BigInteger totalShares = ShareIndex.decodeShares(supply.getTotalShares().toByteArray()).subtract(before).add(after);
        BigInteger total = index.value(totalShares);
        if (total.compareTo(BigInteger.valueOf(MAX_TOTAL)) > 0) {
            throw new Rejection(ResultCode.CREDIT_OVERFLOW, "total would be " + total);
        }
        long accounts = supply.getAccounts() + (before.signum() == 0 && after.signum() > 0 ? 1 : 0)
                - (before.signum() > 0 && after.signum() == 0 ? 1 : 0);
        long height = ctxHeight();
        byte[] key = CreditKeys.account(hsmId);
        if (after.signum() == 0) {
            writer().delete(key);
        } else {
            writer().put(key, CreditAccount.newBuilder()
                    .setShares(ByteString.copyFrom(ShareIndex.encodeShares(after)))
                    .setUpdatedHeight(height).build().toByteArray());
        }
        writer().put(CreditKeys.SUPPLY, CreditSupply.newBuilder()
                .setTotalShares(ByteString.copyFrom(ShareIndex.encodeShares(totalShares)))
                .setTotal(total.longValueExact())
                .setAccounts(accounts).build().toByteArray());
        recordShares(hsmId, before, after, height);
        long delta = target - old;
        ctx.emit("credit.balance_changed", "hsm", HEX.formatHex(hsmId), "delta", Long.toString(delta),
                "reason", reason.name(), "height", Long.toString(height));
        return new BalanceChange(hsmId.clone(), delta, target, reason);
    }

    // --- share history ---

    /**
     * The account's shares at the end of {@code height}: what weighs a verifier in a round
     * opened at that height. Normalization changes the index, never shares, so shares are the
     * credit snapshot. Valid for heights up to {@link #SHARE_HISTORY_BLOCKS} behind the latest
     * change of the account.
     */
    public BigInteger sharesAt(byte[] hsmId, long height) {
        byte[] raw = reader.get(CreditKeys.history(checkId(hsmId)));
        if (raw == null) {
            return shares(hsmId);
        }
        ShareHistory history = parse(ShareHistory.parser(), raw, "share history");
        BigInteger result = ShareIndex.decodeShares(history.getBaseShares().toByteArray());
        for (ShareCheckpoint cp : history.getCheckpointsList()) {
            if (cp.getHeight() > height) {
                break;
            }
            result = ShareIndex.decodeShares(cp.getShares().toByteArray());
        }
        return result;
    }

    /**
     * Appends the account's new shares to its history (one checkpoint per height) and drops
     * checkpoints that no height within {@link #SHARE_HISTORY_BLOCKS} can need. Bounded: at
     * most one checkpoint per block of the horizon.
     */
    private void recordShares(byte[] hsmId, BigInteger before, BigInteger after, long height) {
        byte[] key = CreditKeys.history(hsmId);
        byte[] raw = reader.get(key);
        ShareHistory.Builder history = raw == null
                ? ShareHistory.newBuilder().setBaseShares(ByteString.copyFrom(ShareIndex.encodeShares(before)))
                : parse(ShareHistory.parser(), raw, "share history").toBuilder();
        ShareCheckpoint cp = ShareCheckpoint.newBuilder().setHeight(height)
                .setShares(ByteString.copyFrom(ShareIndex.encodeShares(after))).build();
        int n = history.getCheckpointsCount();
        if (n > 0 && history.getCheckpoints(n - 1).getHeight() == height) {
            history.setCheckpoints(n - 1, cp);
        } else {
            history.addCheckpoints(cp);
        }
        long horizon = height - SHARE_HISTORY_BLOCKS;
        while (history.getCheckpointsCount() >= 2 && history.getCheckpoints(1).getHeight() <= horizon) {
            history.setBaseShares(history.getCheckpoints(0).getShares());
            history.removeCheckpoints(0);
        }
        writer().put(key, history.build().toByteArray());
    }

    // --- normalization ---

    /**
     * Rescales the index so that the total returns to {@code cap} when the total exceeds
     * {@code cap × triggerBps / 10000}; O(1) whatever the number of accounts. Emits
     * {@code credit.normalized}. Returns the record written, or empty when not due.
     */
    public Optional<NormalizationRecord> normalizeIfAbove(long cap, long triggerBps) {
        CreditSupply supply = supply();
        BigInteger threshold = BigInteger.valueOf(cap).multiply(BigInteger.valueOf(triggerBps));
        if (BigInteger.valueOf(supply.getTotal()).multiply(BigInteger.valueOf(10_000)).compareTo(threshold) <= 0) {
            return Optional.empty();
        }
        ShareIndex old = index();
        BigInteger totalShares = ShareIndex.decodeShares(supply.getTotalShares().toByteArray());
        ShareIndex next = ShareIndex.normalizedTo(cap, totalShares);
        long newTotal = next.balance(totalShares);
        if (newTotal > cap || newTotal < cap - 1 || compare(next, old) >= 0) {
            throw new IllegalStateException("normalization out of bounds: total " + newTotal + " for cap " + cap);
        }
        long height = ctxHeight();
        writeIndex(next, height);
        writer().put(CreditKeys.SUPPLY, supply.toBuilder().setTotal(newTotal).build().toByteArray());
        NormalizationRecord record = NormalizationRecord.newBuilder().setHeight(height)
                .setOldTotal(supply.getTotal()).setNewTotal(newTotal)
                .setOldIndex(toRecord(old, indexHeight())).setNewIndex(toRecord(next, height)).build();
        writer().put(CreditKeys.LAST_NORMALIZATION, record.toByteArray());
        ctx.emit("credit.normalized", "old_total", Long.toString(supply.getTotal()), "new_total", Long.toString(newTotal),
                "factor", next.factorFrom(old), "height", Long.toString(height));
        return Optional.of(record);
    }

    private long indexHeight() {
        byte[] raw = reader.get(CreditKeys.INDEX);
        return raw == null ? 0 : parse(CreditIndex.parser(), raw, "credit index").getUpdatedHeight();
    }

    /** Compares two indices as rationals. */
    static int compare(ShareIndex a, ShareIndex b) {
        return BigInteger.valueOf(a.mantissa()).shiftLeft(b.exponent())
                .compareTo(BigInteger.valueOf(b.mantissa()).shiftLeft(a.exponent()));
    }

    public Optional<NormalizationRecord> lastNormalization() {
        byte[] raw = reader.get(CreditKeys.LAST_NORMALIZATION);
        return raw == null ? Optional.empty() : Optional.of(parse(NormalizationRecord.parser(), raw, "normalization record"));
    }

    // --- reporters, nonces, receipts ---

    /** SHA-256 of the key's canonical encoding: the reporter's identity in keys. */
    public static byte[] keyDigest(PublicKey key) {
        return TxCodec.sha256(key.toByteArray());
    }

    public boolean isReporter(PublicKey key) {
        return reader.get(CreditKeys.reporter(keyDigest(key))) != null;
    }

    public void authorizeReporter(PublicKey key) {
        writer().put(CreditKeys.reporter(keyDigest(key)),
                CreditReporter.newBuilder().setKey(key).setAuthorizedHeight(ctxHeight()).build().toByteArray());
    }

    /** Removes the authorisation; the key's nonce stays, so its old reports can never replay. */
    public void revokeReporter(PublicKey key) {
        writer().delete(CreditKeys.reporter(keyDigest(key)));
    }

    public long nonce(PublicKey key) {
        byte[] raw = reader.get(CreditKeys.nonce(keyDigest(key)));
        return raw == null ? 0 : parse(AccountNonce.parser(), raw, "reporter nonce").getNext();
    }

    public void setNonce(PublicKey key, long next) {
        writer().put(CreditKeys.nonce(keyDigest(key)), AccountNonce.newBuilder().setNext(next).build().toByteArray());
    }

    public boolean hasReceipt(byte[] idempotencyKey) {
        return reader.get(CreditKeys.report(TxCodec.sha256(idempotencyKey))) != null;
    }

    public void putReceipt(byte[] idempotencyKey, byte[] hsmId, long delta) {
        writer().put(CreditKeys.report(TxCodec.sha256(idempotencyKey)), ReportReceipt.newBuilder()
                .setHeight(ctxHeight()).setHsmId(ByteString.copyFrom(hsmId)).setDelta(delta)
                .build().toByteArray());
    }

    private long ctxHeight() {
        if (ctx == null) {
            throw new IllegalStateException("read-only credit keeper");
        }
        return ctx.height();
    }

    private static byte[] checkId(byte[] hsmId) {
        if (hsmId == null || hsmId.length != HsmDirectory.ID_BYTES) {
            throw new IllegalArgumentException("HSM id must be " + HsmDirectory.ID_BYTES + " bytes");
        }
        return hsmId;
    }

    private static <T extends MessageLite> T parse(Parser<T> parser, byte[] raw, String what) {
        try {
            return parser.parseFrom(raw);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt " + what, e);
        }
    }
}
