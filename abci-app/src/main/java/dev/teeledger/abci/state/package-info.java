/**
 * The application state: an authenticated, versioned, persistent key-value store (ADR 0002),
 * split into one sparse Merkle tree per {@link dev.teeledger.protocol.merkle.SubStore} under a
 * top-level tree of sub-store roots whose root is the app hash (ADR 0010).
 *
 * <p>{@link dev.teeledger.abci.state.MerkleStore} owns the RocksDB database and the committed
 * versions; {@link dev.teeledger.abci.state.WorkingSet} stages one block's writes in memory, with
 * {@link dev.teeledger.abci.state.WorkingSet#branch() branches} for all-or-nothing transactions;
 * state modules see only {@link dev.teeledger.abci.state.KvReader} /
 * {@link dev.teeledger.abci.state.KvStore}. The ABCI layer's calls map onto it as follows:
 * {@code Info} → {@code lastVersion()}, {@code lastRootHash()}, {@code appMetadata()};
 * {@code FinalizeBlock} → {@code newWorkingSet()}, writes, {@code rootHash()};
 * {@code Commit} → {@code commit(ws, height, metadata)}; {@code Query} with {@code prove=true}
 * → {@code prove(key, height)}, whose {@link dev.teeledger.protocol.merkle.StateProof} travels as
 * two {@code ProofOp}s of type {@code teeledger:smt:v1} (key under its sub-store, sub-store
 * under the app hash).
 *
 * <p>Everything here is deterministic: iteration is by unsigned key bytes, the root depends only
 * on the key-value set, and no clock or randomness is read.
 */
package dev.teeledger.abci.state;
