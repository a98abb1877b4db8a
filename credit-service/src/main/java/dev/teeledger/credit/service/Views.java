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
}
