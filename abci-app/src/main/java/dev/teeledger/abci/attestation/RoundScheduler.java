package dev.teeledger.abci.attestation;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.teeledger.abci.app.AppKeys;
import dev.teeledger.abci.app.BlockHook;
import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.credit.CreditKeeper;
import dev.teeledger.abci.hsm.HsmKeeper;
import dev.teeledger.abci.manufacturer.ManufacturerKeeper;
import dev.teeledger.abci.state.KvReader;
import dev.teeledger.protocol.attestation.Sortition;
import dev.teeledger.protocol.state.v1.AttestationRound;
import dev.teeledger.protocol.state.v1.BlockInfo;
import dev.teeledger.protocol.state.v1.DueRound;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.ManufacturerRecord;
import dev.teeledger.protocol.state.v1.ManufacturerStatus;
import dev.teeledger.protocol.state.v1.RoundStatus;
import dev.teeledger.protocol.state.v1.RoundTrigger;
import dev.teeledger.protocol.state.v1.SelectionAccumulator;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;

/**
 * The end-of-block hook that runs attestation: first it closes the rounds due to close at
 * this height (deadline reached, or filled by votes), then it opens the rounds that are due,
 * at most {@code attestation.max_rounds_per_block} of them; the rest wait, in order, for the
 * next block. Rounds become due three ways: right after a join, every
 * {@code attestation.period} blocks at a slot staggered by HSM id, and on governance request.
 *
 * <p>Work per block is bounded by the number of rounds closed and opened, never by the number
 * of HSMs: due entries sit in a queue keyed by height.
 */
public final class RoundScheduler implements BlockHook {
    private static final HexFormat HEX = HexFormat.of();

    @Override
    public void endBlock(TxContext ctx) {
        AttestationParams params = AttestationParams.read(ctx.store());
        AttestationKeeper keeper = new AttestationKeeper(ctx.store());
        long height = ctx.height();
        for (long roundId : keeper.closesAt(height)) {
            keeper.removeClose(height, roundId);
            AttestationRound round = keeper.round(roundId).orElseThrow(() -> new IllegalStateException("queued round " + roundId + " missing"));
            if (round.getStatus() == RoundStatus.ROUND_STATUS_OPEN) {
                new RoundSettlement(ctx, keeper, params).close(round);
            }
        }
        openDue(ctx, keeper, params);
    }

    private static void openDue(TxContext ctx, AttestationKeeper keeper, AttestationParams params) {
        long height = ctx.height();
        long cursor = keeper.dueCursor();
        if (cursor == 0 || cursor > height) {
            cursor = height;
        }
        int opened = 0;
        for (long h = cursor; h <= height; h++) {
            List<DueRound> due = keeper.dueAt(h);
            for (DueRound entry : due) {
                if (opened == params.maxRoundsPerBlock()) {
                    keeper.setDueCursor(h);
                    return;
                }
                keeper.removeDue(h, entry.getHsmId().toByteArray());
                if (open(ctx, keeper, params, entry)) {
                    opened++;
                }
            }
        }
        keeper.setDueCursor(height + 1);
    }

    /**
     * Opens the round an entry asks for, unless the HSM has left the attestable states or
     * already has a round open (that round's close schedules the next one). Returns whether
     * a round opened.
     */
    static boolean open(TxContext ctx, AttestationKeeper keeper, AttestationParams params, DueRound entry) {
        byte[] testee = entry.getHsmId().toByteArray();
        HsmRecord record = new HsmKeeper(ctx.store()).find(testee);
        if (record == null || !attestable(ctx.store(), record) || keeper.openRound(testee).isPresent()) {
            return false;
        }
        long height = ctx.height();
        long id = keeper.takeRoundId();
        BigInteger totalShares = new CreditKeeper(ctx.store()).totalShares();
        byte[] seed = Sortition.seed(ctx.chainId(), id, entry.getAttempt(), testee, keeper.beacon(), blockHash(ctx.store()));
        AttestationRound round = AttestationRound.newBuilder()
                .setId(id)
                .setTestee(entry.getHsmId())
                .setTrigger(entry.getTrigger())
                .setAttempt(entry.getAttempt())
                .setSeed(ByteString.copyFrom(seed))
                .setOpenedHeight(height)
                .setDeadlineHeight(height + params.window())
                .setTotalShares(ByteString.copyFrom(Sortition.unsigned(totalShares)))
                .setCommitteeSize(params.committeeSize())
                .setQuorumVotes(params.quorumVotes())
                .setMaxVotes(params.maxVotes())
                .setTesteeState(record.getState().getNumber())
                .setStatus(RoundStatus.ROUND_STATUS_OPEN)
                .build();
        keeper.putRound(round);
        keeper.setOpen(testee, id);
        keeper.scheduleClose(round.getDeadlineHeight(), id);
        SelectionAccumulator acc = keeper.accumulator();
        keeper.setAccumulator(SelectionAccumulator.newBuilder()
                .setPerShare(ByteString.copyFrom(Sortition.unsigned(Sortition.unsigned(acc.getPerShare())
                        .add(Sortition.accumulatorStep(params.committeeSize(), totalShares)))))
                .setRounds(acc.getRounds() + 1)
                .build());
        ctx.emit("attestation.round_opened",
                "round", Long.toString(id),
                "testee", HEX.formatHex(testee),
                "trigger", entry.getTrigger().name(),
                "attempt", Integer.toString(entry.getAttempt()),
                "seed", HEX.formatHex(seed),
                "deadline", Long.toString(round.getDeadlineHeight()),
                "total_shares", totalShares.toString());
        return true;
    }

    /**
     * Whether rounds are run for this HSM: it is PENDING, ACTIVE or SUSPENDED (a suspended
     * HSM can earn its way back) and its manufacturer root is still active.
     */
    public static boolean attestable(KvReader reader, HsmRecord record) {
        HsmState s = record.getState();
        if (s != HsmState.HSM_STATE_PENDING && s != HsmState.HSM_STATE_ACTIVE && s != HsmState.HSM_STATE_SUSPENDED) {
            return false;
        }
        ManufacturerRecord m = new ManufacturerKeeper(reader).find(record.getManufacturerId().toByteArray());
        return m != null && m.getStatus() == ManufacturerStatus.MANUFACTURER_STATUS_ACTIVE;
    }

    /** Queues a round for this height (it opens at the end of this block, bound permitting). */
    public static void scheduleNow(TxContext ctx, byte[] hsmId, RoundTrigger trigger, int attempt) {
        new AttestationKeeper(ctx.store()).enqueueDue(ctx.height(), DueRound.newBuilder()
                .setHsmId(ByteString.copyFrom(hsmId)).setTrigger(trigger).setAttempt(attempt).build());
    }

    /** The registry's join hook: a new PENDING HSM is attested right after it joins. */
    public static void afterJoin(TxContext ctx, HsmRecord joined) {
        scheduleNow(ctx, joined.getHsmId().toByteArray(), RoundTrigger.ROUND_TRIGGER_JOIN, 0);
    }

    /** Queues the HSM's next periodic round at its first slot after {@code after}. */
    static void schedulePeriodic(TxContext ctx, AttestationKeeper keeper, byte[] hsmId, long after, long period) {
        keeper.enqueueDue(nextSlot(hsmId, after, period), DueRound.newBuilder()
                .setHsmId(ByteString.copyFrom(hsmId)).setTrigger(RoundTrigger.ROUND_TRIGGER_PERIODIC).build());
    }

    /**
     * The first height after {@code after} at which this HSM's periodic round is due: heights
     * congruent to the HSM's offset modulo the period, the offset being its id's first eight
     * bytes modulo the period. Spreads rounds evenly over the period.
     */
    public static long nextSlot(byte[] hsmId, long after, long period) {
        long offset = Long.remainderUnsigned(ByteBuffer.wrap(hsmId, 0, 8).getLong(), period);
        long slot = after - Math.floorMod(after, period) + offset;
        return slot > after ? slot : slot + period;
    }

    static byte[] blockHash(KvReader reader) {
        byte[] raw = reader.get(AppKeys.BLOCK);
        if (raw == null) {
            return new byte[0];
        }
        try {
            return BlockInfo.parseFrom(raw).getBlockHash().toByteArray();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt block info", e);
        }
    }
}
