package dev.teeledger.abci.hsm;

import com.google.protobuf.ByteString;
import dev.teeledger.abci.app.BlockHook;
import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.firmware.FirmwareKeeper;
import dev.teeledger.protocol.state.v1.FirmwareExpiryWork;
import dev.teeledger.protocol.state.v1.FirmwareRecord;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * "Approved firmware expired → SUSPENDED", at the end of every block. At the end of block h it
 * takes the allow-list entries whose approval ends at h ({@link FirmwareKeeper#endingAt}: the
 * valid-until height is h, or the entry was retired in block h), queues one work item per entry
 * that any HSM is recorded as running, then works through the queue: every ACTIVE HSM in
 * {@code by_firmware/<sha>} moves to SUSPENDED with reason {@code "firmware <hex> no longer
 * approved"}. PENDING, SUSPENDED and REVOKED HSMs are left as they are.
 *
 * <p><b>Bound.</b> At most {@value #MAX_VISITS_PER_BLOCK} list positions are visited per block,
 * across all work. Work is done in key order (end height, then hash), each list from its last
 * position down to 0; what is left is carried to the next block in the stored work record, so an
 * entry run by N HSMs is finished within ceil(N / 256) blocks once it reaches the queue's head.
 * Visiting top-down keeps the cursor exact while the list changes between blocks: a removal
 * only moves the last id down into the freed position, so every id not yet visited stays below
 * the cursor (ids added later, at the top, are not visited: the attestation module must not
 * pass an HSM on unapproved firmware). Scanning the queue costs one read per queued entry.
 *
 * <p>Deterministic: no clock, key-ordered scans, and a bound that is a constant of the protocol.
 */
public final class FirmwareExpiry implements BlockHook {
    /** List positions visited per block, over all queued work. Part of consensus. */
    public static final int MAX_VISITS_PER_BLOCK = 256;
    private static final HexFormat HEX = HexFormat.of();

    private final int maxVisits;

    public FirmwareExpiry() {
        this(MAX_VISITS_PER_BLOCK);
    }

    /** A different bound; tests only (the bound is part of consensus). */
    FirmwareExpiry(int maxVisits) {
        this.maxVisits = maxVisits;
    }

    @Override
    public void endBlock(TxContext ctx) {
        long h = ctx.height();
        HsmKeeper keeper = new HsmKeeper(ctx);
        FirmwareKeeper firmware = new FirmwareKeeper(ctx.store());
        for (byte[] sha : firmware.endingAt(h)) {
            FirmwareRecord rec = firmware.find(sha);
            String hex = HEX.formatHex(sha);
            if (rec != null && rec.getRetiredHeight() != h) {
                // A retirement has its own event (firmware.retired) from the transaction.
                ctx.emit("firmware.expired", "sha256", hex, "height", Long.toString(h));
            }
            long running = keeper.count(HsmKeys.byFirmware(sha));
            if (running > 0) {
                keeper.putExpiryWork(FirmwareExpiryWork.newBuilder().setSha256(ByteString.copyFrom(sha))
                        .setRemaining(running).setEndedHeight(h).build());
                ctx.emit("hsm.firmware_expiry_queued", "sha256", hex, "hsms", Long.toString(running), "height", Long.toString(h));
            }
        }
        int budget = maxVisits;
        for (FirmwareExpiryWork work : keeper.expiryWork()) {
            if (budget == 0) {
                break;
            }
            byte[] sha = work.getSha256().toByteArray();
            String list = HsmKeys.byFirmware(sha);
            String reason = "firmware " + HEX.formatHex(sha) + " no longer approved";
            long remaining = Math.min(work.getRemaining(), keeper.count(list));
            long cachedPageNo = -1;
            List<byte[]> cachedPage = List.of();
            while (remaining > 0 && budget > 0) {
                long pos = remaining - 1;
                long pageNo = pos / HsmKeys.PAGE_SIZE;
                if (pageNo != cachedPageNo) {
                    // Suspending changes by_state lists only, so this list's pages stay valid.
                    cachedPage = new ArrayList<>(keeper.page(list, pageNo));
                    cachedPageNo = pageNo;
                }
                byte[] id = cachedPage.get((int) (pos % HsmKeys.PAGE_SIZE));
                remaining--;
                budget--;
                HsmRecord rec = keeper.find(id);
                if (rec != null && rec.getState() == HsmState.HSM_STATE_ACTIVE) {
                    keeper.setState(rec, HsmState.HSM_STATE_SUSPENDED, h, reason);
                }
            }
            if (remaining == 0) {
                keeper.deleteExpiryWork(work);
                ctx.emit("hsm.firmware_expiry_done", "sha256", HEX.formatHex(sha),
                        "ended_height", Long.toString(work.getEndedHeight()), "height", Long.toString(h));
            } else if (remaining != work.getRemaining()) {
                keeper.putExpiryWork(work.toBuilder().setRemaining(remaining).build());
            }
        }
    }
}
