package dev.teeledger.abci.query;

import com.google.protobuf.ByteString;
import dev.teeledger.abci.state.MerkleStore;
import dev.teeledger.abci.state.ProvenValue;
import dev.teeledger.abci.state.StoreException;
import dev.teeledger.protocol.merkle.SmtProof;
import dev.teeledger.protocol.merkle.StateProof;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import tendermint.abci.Types.RequestQuery;
import tendermint.abci.Types.ResponseQuery;
import tendermint.crypto.ProofOuterClass.ProofOp;
import tendermint.crypto.ProofOuterClass.ProofOps;

/**
 * Answers {@code abci_query}. Every path names exactly one store key, so every
 * answer is a stored value that can carry a Merkle proof: with {@code prove=true}
 * the response holds two {@link SmtProof#OP_TYPE} ops, leaf first (ADR 0010): the
 * first (key = the store key) proves the value or its absence under the root of the
 * key's {@link dev.teeledger.protocol.merkle.SubStore}; the second (key = the
 * sub-store's name) proves that root under the app hash committed at the answered
 * height (found in header height+1). Verifiers chain them as CometBFT's proof
 * runtime does, and check the ops' keys against
 * {@link dev.teeledger.protocol.merkle.StateProof#keyPath}. Absent values answer
 * {@link ResultCode#NOT_FOUND} with an absence proof.
 *
 * <p>Paths: {@code /store} (data = raw key), and one per state item registered by
 * the modules, e.g. {@code /gov/keys}, {@code /gov/param/tx.max_bytes}.
 */
public final class QueryRouter {
    /** Maps the rest of a path (after the registered prefix) and the query data to a store key. */
    @FunctionalInterface
    public interface KeyMapper {
        byte[] storeKey(String rest, byte[] data) throws Rejection;
    }

    private final MerkleStore store;
    private final Map<String, KeyMapper> exact = new TreeMap<>();
    private final Map<String, KeyMapper> prefixes = new TreeMap<>();

    public QueryRouter(MerkleStore store) {
        this.store = store;
        exact.put("/store", (rest, data) -> {
            if (data.length == 0) {
                throw new Rejection(ResultCode.MALFORMED_QUERY, "/store needs the key as query data");
            }
            return data;
        });
    }

    /** A path that maps to one fixed key. */
    public QueryRouter fixed(String path, byte[] key) {
        exact.put(path, (rest, data) -> key.clone());
        return this;
    }

    /** A path prefix ending in '/', whose remainder selects the key. */
    public QueryRouter prefix(String prefix, KeyMapper mapper) {
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("prefix must end in '/'");
        }
        prefixes.put(prefix, mapper);
        return this;
    }

    public ResponseQuery query(RequestQuery req) {
        long latest = store.lastVersion();
        long height = req.getHeight() == 0 ? latest : req.getHeight();
        ResponseQuery.Builder res = ResponseQuery.newBuilder().setHeight(height);
        try {
            byte[] key = resolve(req.getPath(), req.getData().toByteArray());
            res.setKey(ByteString.copyFrom(key));
            if (latest == 0 || height < 1 || height > latest || height < store.oldestRetainedVersion()) {
                throw new Rejection(ResultCode.HEIGHT_NOT_AVAILABLE,
                        "height " + height + ", available " + store.oldestRetainedVersion() + ".." + latest);
            }
            ProvenValue proven = store.prove(key, height);
            if (req.getProve()) {
                StateProof proof = proven.proof();
                res.setProofOps(ProofOps.newBuilder()
                        .addOps(ProofOp.newBuilder()
                                .setType(SmtProof.OP_TYPE)
                                .setKey(ByteString.copyFrom(key))
                                .setData(ByteString.copyFrom(proof.keyProof().encode())))
                        .addOps(ProofOp.newBuilder()
                                .setType(SmtProof.OP_TYPE)
                                .setKey(ByteString.copyFrom(proof.store().nameBytes()))
                                .setData(ByteString.copyFrom(proof.storeProof().encode()))));
            }
            if (proven.value() == null) {
                return res.setCode(ResultCode.NOT_FOUND.code()).setLog(ResultCode.NOT_FOUND.message()).build();
            }
            return res.setValue(ByteString.copyFrom(proven.value())).setCode(0).build();
        } catch (Rejection r) {
            return res.setCode(r.code().code()).setLog(r.getMessage()).build();
        } catch (StoreException e) {
            return res.setCode(ResultCode.HEIGHT_NOT_AVAILABLE.code()).setLog(e.getMessage()).build();
        }
    }

    private byte[] resolve(String path, byte[] data) throws Rejection {
        KeyMapper m = exact.get(path);
        if (m != null) {
            return m.storeKey("", data);
        }
        for (Map.Entry<String, KeyMapper> e : prefixes.entrySet()) {
            if (path.startsWith(e.getKey()) && path.length() > e.getKey().length()) {
                return e.getValue().storeKey(path.substring(e.getKey().length()), data);
            }
        }
        throw new Rejection(ResultCode.UNKNOWN_QUERY_PATH, path);
    }

    /** UTF-8 bytes, for modules that build keys from path segments. */
    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
