/**
 * Proofs against TEE Ledger's application state: the sparse Merkle tree's hash functions
 * ({@link dev.teeledger.protocol.merkle.SmtHash}) and its membership / non-membership proof
 * format ({@link dev.teeledger.protocol.merkle.SmtProof}, CometBFT {@code ProofOp} type
 * {@code teeledger:smt:v1}). The state store in abci-app produces these proofs; clients and the
 * light client in chain-client verify them against a header's app hash. Plain Java, no state.
 */
package dev.teeledger.protocol.merkle;
