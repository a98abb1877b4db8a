package dev.teeledger.protocol.merkle;

import dev.teeledger.protocol.merkle.ProofException.Reason;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;

/**
 * A proof that a key holds a value (or is absent) in the whole application state (ADR 0010):
 * the key's {@link SmtProof} under its {@link SubStore}'s root, then the sub-store's
 * {@link SmtProof} of {@code name → root} under the app hash. On the wire these are two
 * CometBFT {@code ProofOp}s of type {@value SmtProof#OP_TYPE}, leaf first: {@code (key,
 * keyProof)} then {@code (storeName, storeProof)}, which any verifier that chains proof ops
 * (chain-client's {@code ProofVerifier}, CometBFT's {@code ProofRuntime}) checks op by op.
 * Created by the state store's {@code prove}; checked in-process by tests and Java clients with
 * {@link #verify}. Immutable and thread-safe.
 *
 * @param store the sub-store the key belongs to ({@link SubStore#of})
 * @param keyProof the key's proof under the sub-store root
 * @param storeProof the proof of {@code store.storeName() → sub-store root} under the app hash
 */
public record StateProof(SubStore store, SmtProof keyProof, SmtProof storeProof) {

    public StateProof {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(keyProof, "keyProof");
        Objects.requireNonNull(storeProof, "storeProof");
    }

    /**
     * The app hash this proof commits to for {@code key} and {@code valueOrNull}.
     *
     * @throws ProofException with {@link Reason#KEY_MISMATCH} if the key belongs to another
     *     sub-store than the proof passes through, or any reason of {@link SmtProof#computeRoot}
     */
    public byte[] computeRoot(byte[] key, byte[] valueOrNull) throws ProofException {
        Objects.requireNonNull(key, "key");
        SubStore expected = SubStore.of(key);
        if (expected != store) {
            throw new ProofException(Reason.KEY_MISMATCH, "key belongs to sub-store "
                    + expected.storeName() + ", proof goes through " + store.storeName());
        }
        byte[] storeRoot = keyProof.computeRoot(key, valueOrNull);
        return storeProof.computeRoot(store.nameBytes(), storeRoot);
    }

    /** Checks that the proof shows {@code key → valueOrNull} under {@code appHash}. */
    public void verify(byte[] appHash, byte[] key, byte[] valueOrNull) throws ProofException {
        Objects.requireNonNull(appHash, "appHash");
        if (!MessageDigest.isEqual(computeRoot(key, valueOrNull), appHash)) {
            throw new ProofException(Reason.ROOT_MISMATCH, "state proof leads to another root");
        }
    }

    /** What the key's own path ends in (presence or the kind of absence). */
    public SmtProof.Terminal terminal() {
        return keyProof.terminal();
    }

    /**
     * The keys the proof ops carry, leaf first: the queried key, then the sub-store name. A
     * verifier of chained ops compares each op's key with this path.
     */
    public static List<byte[]> keyPath(byte[] key) {
        return List.of(key.clone(), SubStore.of(key).nameBytes());
    }
}
