package dev.teeledger.abci.credit;

import dev.teeledger.abci.app.BlockHook;
import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.gov.GovKeeper;
import dev.teeledger.protocol.gov.Param;

/**
 * End-of-block work of the credit module. Every block it makes sure the index and supply
 * records exist (so they are provable from the first block); at heights divisible by
 * {@code credit.normalization_interval} it normalizes when the total exceeds
 * {@code credit.cap × credit.normalization_trigger_bps / 10000}. The work is O(1) in the
 * number of accounts: two reads and three writes. Parameters are read at the block's end,
 * so a change earlier in the same block applies.
 */
public final class CreditNormalizer implements BlockHook {

    @Override
    public void endBlock(TxContext ctx) {
        CreditKeeper credit = new CreditKeeper(ctx);
        credit.initialize(ctx.height());
        GovKeeper gov = new GovKeeper(ctx.store());
        long interval = gov.param(Param.CREDIT_NORMALIZATION_INTERVAL);
        if (ctx.height() % interval != 0) {
            return;
        }
        credit.normalizeIfAbove(gov.param(Param.CREDIT_CAP), gov.param(Param.CREDIT_NORMALIZATION_TRIGGER_BPS));
    }
}
