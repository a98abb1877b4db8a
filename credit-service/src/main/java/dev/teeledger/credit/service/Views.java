package dev.teeledger.credit.service;

import java.util.List;

/**
 * The JSON shapes of the credit read API (snake_case on the wire), built by {@link CreditStore}
 * and {@link ChainBalances} and returned by {@link CreditResource}. {@code last_event_height}
 * is the height of the newest credit event the read model has applied.
 */
public final class Views {
    private Views() {}

    /** One mint or burn of an HSM's credit, as its {@code credit.balance_changed} event said. */
    public record BalanceChange(String eventId, String hsmId, long delta, String reason, long height) {}

    /** One normalization ({@code credit.normalized}); {@code factor} is the chain's text. */
    public record Normalization(String eventId, long height, long oldTotal, long newTotal, String factor) {}

    /** A page of an HSM's history, oldest first; {@code total} counts all its rows. */
    public record Page<T>(List<T> items, int page, int size, long total, long lastEventHeight) {}

    /** A whole list. */
    public record Listing<T>(List<T> items, long lastEventHeight) {}

    /**
     * A balance from the chain: {@code shares × mantissa >> exponent} (docs/credits.md) at
     * {@code height}; {@code source} is {@code chain-verified} (light client) or {@code chain}
     * (plain RPC, trusting the node).
     */
    public record Balance(String hsmId, long balance, String shares, long height, String source) {}

    /**
     * A height at which the total supply changed: the total at the end of that height (as the
     * chain's {@code credit/supply} then), the funded accounts, and whether a normalization ran.
     */
    public record SupplyPoint(long height, long total, long accounts, boolean normalized) {}

    /** Supply history in a height range, oldest first; {@code height} is the newest height folded. */
    public record SupplyHistory(List<SupplyPoint> items, int page, int size, long total, long height) {}

    /** An HSM in the ranking: position from 1, balance under the current index, shares. */
    public record RankedHsm(long rank, String hsmId, long balance, String shares) {}

    /** A page of the ranking; {@code height} is the newest height folded into it. */
    public record Ranking(List<RankedHsm> items, int page, int size, long total, long height) {}

    /**
     * The chain's supply ({@code credit/supply}, {@code credit/cap},
     * {@code gov/param/credit.normalization_trigger_bps}, all at {@code height}): the total
     * normalizes back to {@code cap} once it exceeds {@code trigger_total = cap × trigger_bps / 10 000}
     * at an interval boundary.
     */
    public record Supply(long total, String totalShares, long accounts, long cap, long triggerBps, long triggerTotal,
            long height, String source) {}
}
