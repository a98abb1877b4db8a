package dev.teeledger.abci.credit;

import dev.teeledger.protocol.tx.v1.CreditReason;

/**
 * One applied balance change, as returned by {@link CreditLedger#mint} and
 * {@link CreditLedger#burn} and announced as a {@code credit.balance_changed} event.
 *
 * @param delta the change actually applied: {@code +amount} for a mint, {@code -min(amount, balance)}
 *     for a burn
 */
public record BalanceChange(byte[] hsmId, long delta, long balanceAfter, CreditReason reason) {}
