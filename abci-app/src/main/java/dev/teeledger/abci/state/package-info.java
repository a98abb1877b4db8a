/**
 * The application state: an authenticated, versioned, persistent key-value store whose sparse
 * Merkle root is the app hash (ADR 0002).
 *
 * <p>{@link dev.teeledger.abci.state.MerkleStore} owns the RocksDB database and the committed
 * versions; {@link dev.teeledger.abci.state.WorkingSet} stages one block's writes in memory, with
 * {@link dev.teeledger.abci.state.WorkingSet#branch() branches} for all-or-nothing transactions;
 * state modules see only {@link dev.teeledger.abci.state.KvReader} /
 * {@link dev.teeledger.abci.state.KvStore}. The ABCI layer's calls map onto it as follows:
 * {@code Info} → {@code lastVersion()}, {@code lastRootHash()}, {@code appMetadata()};
 * {@code FinalizeBlock} → {@code newWorkingSet()}, writes, {@code rootHash()};
 * {@code Commit} → {@code commit(ws, height, metadata)}; {@code Query} with {@code prove=true}
 * → {@code prove(key, height)}, whose {@link dev.teeledger.protocol.merkle.SmtProof} travels as a
 * {@code ProofOp} of type {@code teeledger:smt:v1}.
 *
 * <p>Everything here is deterministic: iteration is by unsigned key bytes, the root depends only
 * on the key-value set, and no clock or randomness is read.
 */
package dev.teeledger.abci.state;
