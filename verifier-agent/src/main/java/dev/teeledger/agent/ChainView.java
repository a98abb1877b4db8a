package dev.teeledger.agent;

import dev.teeledger.protocol.state.v1.AttestationRound;
import dev.teeledger.protocol.state.v1.FirmwareRecord;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.LastAttestation;
import java.math.BigInteger;
import java.util.Optional;

/**
 * What the verifier agent reads from and sends to the chain, in the chain's own terms. The
 * production implementation is {@link CometChainView} (abci queries over CometBFT RPC, paths of
 * {@code docs/api.md}); tests use fakes. Reads are of the latest state and unverified: the agent
 * only decides whether to do work and what to vote, and the chain re-checks every vote.
 */
public interface ChainView {

    /** Height of the latest committed block. */
    long height() throws ChainAccessException;

    /** {@code /attestation/round/<id>}, empty when no such round exists (yet). */
    Optional<AttestationRound> round(long id) throws ChainAccessException;

    /** {@code /hsm/<hex id>}, empty when not registered. */
    Optional<HsmRecord> hsm(byte[] hsmId) throws ChainAccessException;

    /**
     * The HSM's credit shares at {@code height}, by {@code CreditKeeper.sharesAt}'s rule: the
     * share history's base, replaced by every checkpoint at or below the height; with no history,
     * the account's current shares (zero without an account).
     */
    BigInteger sharesAt(byte[] hsmId, long height) throws ChainAccessException;

    /** {@code shares} valued at the current credit index (balance = shares × index), saturating. */
    long balanceOf(BigInteger shares) throws ChainAccessException;

    /** The governance parameter {@code name} ({@code /gov/param/<name>}), or {@code fallback} when unset. */
    long param(String name, long fallback) throws ChainAccessException;

    /** {@code /attestation/last/<hex id>}: the baseline of the HSM's last PASS, empty before its first. */
    Optional<LastAttestation> lastAttestation(byte[] hsmId) throws ChainAccessException;

    /** {@code /firmware/<hex sha256>}, empty when never approved. */
    Optional<FirmwareRecord> firmware(byte[] sha256) throws ChainAccessException;

    /** broadcast_tx_sync: CheckTx's code (0 = in the mempool) and the transaction hash. */
    Submission submit(byte[] tx) throws ChainAccessException;

    /** The committed transaction's result code, empty while it is not (yet) in a block. */
    Optional<Committed> committed(byte[] txHash) throws ChainAccessException;

    /** CheckTx's answer. */
    record Submission(int code, String log, byte[] hash) {}

    /** A committed transaction: its block and FinalizeBlock code. */
    record Committed(long height, int code, String log) {}
}
