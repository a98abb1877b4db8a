package dev.teeledger.abci.state;

import dev.teeledger.protocol.merkle.ProofException;
import dev.teeledger.protocol.merkle.StateProof;

/**
 * A value read at a retained version together with the proof that binds it (or its absence) to
 * that version's root hash (the app hash). Returned by {@link MerkleStore#prove}; the ABCI query
 * handler puts {@code value} in the response and the proof's two parts in two {@code ProofOp}s
 * of type {@link dev.teeledger.protocol.merkle.SmtProof#OP_TYPE}, leaf first (ADR 0010).
 *
 * @param value the value, or null when the key is absent (then the proof shows absence)
 * @param proof membership or non-membership proof against {@link MerkleStore#rootHash(long)}
 * @param version the version read
 */
public record ProvenValue(byte[] value, StateProof proof, long version) {

    /** Checks the proof of {@code key → value()} against {@code appHash}. */
    public void verify(byte[] appHash, byte[] key) throws ProofException {
        proof.verify(appHash, key, value);
    }
}
