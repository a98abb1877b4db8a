/**
 * Remote attestation on chain: deterministic round scheduling, credit-weighted ECVRF
 * sortition, verified votes, aggregation at close and the economics that follow. The rules
 * are in {@code docs/attestation.md}; this package is the only place that implements them.
 *
 * <p>Layers: {@link dev.teeledger.abci.attestation.AttestationKeys} (key layout),
 * {@link dev.teeledger.abci.attestation.AttestationKeeper} (typed state access),
 * {@link dev.teeledger.protocol.attestation.Sortition} (pure selection and quorum maths, in {@code protocol} so that verifier agents share it),
 * {@link dev.teeledger.abci.attestation.VoteTxHandler} and
 * {@link dev.teeledger.abci.attestation.AttestationGovTxHandler} (transactions),
 * {@link dev.teeledger.abci.attestation.RoundScheduler} (the end-of-block hook that closes
 * and opens rounds) and {@link dev.teeledger.abci.attestation.RoundSettlement} (what a
 * closing round does to credit and lifecycle).
 */
package dev.teeledger.abci.attestation;
