package dev.teeledger.abci.credit;

import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.tx.v1.CreditReason;

/**
 * The credit operations other modules may call (the attestation module pays income and
 * bonuses and charges costs and penalties through it). Implemented by {@link CreditKeeper}.
 * Every call happens inside block execution; a mint or burn writes to the current
 * transaction's (or end-block hook's) store and emits one {@code credit.balance_changed}
 * event. Amounts are credit units; an HSM id is 32 bytes.
 */
public interface CreditLedger {
    /** The HSM's balance; 0 for an HSM that never held credit. */
    long balance(byte[] hsmId);

    /** The tracked total, {@code floor(total shares × index)}: at least the sum of all balances. */
    long total();

    /**
     * Adds exactly {@code amount} to the balance.
     *
     * @throws Rejection {@code CREDIT_OVERFLOW} when the balance or the total would pass
     *     {@link CreditKeeper#MAX_TOTAL}; nothing is written then
     * @throws IllegalArgumentException for a negative amount or an id that is not 32 bytes
     */
    BalanceChange mint(byte[] hsmId, long amount, CreditReason reason) throws Rejection;

    /**
     * Removes {@code amount} from the balance, or the whole balance when it is smaller: no
     * balance goes negative.
     *
     * @throws IllegalArgumentException for a negative amount or an id that is not 32 bytes
     */
    BalanceChange burn(byte[] hsmId, long amount, CreditReason reason);
}
