package dev.teeledger.abci.query;

import dev.teeledger.protocol.merkle.ProofException;
import dev.teeledger.protocol.merkle.SmtProof;
import dev.teeledger.protocol.merkle.StateProof;
import dev.teeledger.protocol.merkle.SubStore;
import java.util.Arrays;
import java.util.List;
import tendermint.abci.Types.ResponseQuery;
import tendermint.crypto.ProofOuterClass.ProofOp;

/**
 * Test helper: checks a proven query answer the way a light client does (ADR 0010): exactly two
 * {@link SmtProof#OP_TYPE} ops whose keys are {@link StateProof#keyPath} of the answer's key,
 * folded leaf first up to the app hash.
 */
public final class QueryProofs {

    private QueryProofs() {
    }

    /** The state proof carried by {@code answer}, after checking the ops' types and keys. */
    public static StateProof proofOf(ResponseQuery answer) throws ProofException {
        List<ProofOp> ops = answer.getProofOps().getOpsList();
        byte[] key = answer.getKey().toByteArray();
        List<byte[]> path = StateProof.keyPath(key);
        if (ops.size() != path.size()) {
            throw new AssertionError("expected " + path.size() + " proof ops, got " + ops.size());
        }
        for (int i = 0; i < ops.size(); i++) {
            if (!ops.get(i).getType().equals(SmtProof.OP_TYPE)
                    || !Arrays.equals(ops.get(i).getKey().toByteArray(), path.get(i))) {
                throw new AssertionError("op " + i + " has type " + ops.get(i).getType()
                        + " and key " + ops.get(i).getKey().toStringUtf8());
            }
        }
        return new StateProof(SubStore.of(key), SmtProof.decode(ops.get(0).getData().toByteArray()),
                SmtProof.decode(ops.get(1).getData().toByteArray()));
    }

    /** Verifies that {@code answer} proves its key maps to {@code valueOrNull} under {@code appHash}. */
    public static void verify(ResponseQuery answer, byte[] appHash, byte[] valueOrNull)
            throws ProofException {
        proofOf(answer).verify(appHash, answer.getKey().toByteArray(), valueOrNull);
    }
}
