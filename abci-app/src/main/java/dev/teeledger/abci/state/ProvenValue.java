package dev.teeledger.abci.state;

import dev.teeledger.protocol.merkle.SmtProof;

/**
 * A value read at a retained version together with the proof that binds it (or its absence) to
 * that version's root hash. Returned by {@link MerkleStore#prove}; the ABCI query handler puts
 * {@code value} in the response and {@code proof.encode()} in a {@code ProofOp} of type
 * {@link SmtProof#OP_TYPE}.
 *
 * @param value the value, or null when the key is absent (then the proof shows absence)
 * @param proof membership or non-membership proof against {@link MerkleStore#rootHash(long)}
 * @param version the version read
 */
public record ProvenValue(byte[] value, SmtProof proof, long version) {
}
