package dev.teeledger.registry.service;

import dev.teeledger.chain.rpc.BroadcastResult;
import dev.teeledger.chain.rpc.ChainRpcException;
import dev.teeledger.chain.rpc.IndexedTx;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.sig.VerifiedSignatureCache;
import dev.teeledger.protocol.tx.SignedTx;
import dev.teeledger.protocol.tx.TxCodec;
import dev.teeledger.protocol.tx.TxLimits;
import dev.teeledger.protocol.tx.TxSignatures;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.registry.service.Views.Submission;
import dev.teeledger.registry.service.Views.SubmitRequest;
import dev.teeledger.service.common.ChainClients;
import dev.teeledger.service.common.ChainSettings;
import dev.teeledger.service.common.Ids;
import dev.teeledger.service.common.ProblemException;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Transaction submission and tracking. {@code POST /api/v1/transactions} takes a client-signed
 * transaction (JSON {@code {"tx":"<base64>"}} or the raw bytes as
 * {@code application/octet-stream}), checks its envelope with {@link TxCodec} and, when the chain
 * id is configured, its signatures with {@link TxSignatures}, broadcasts it with
 * {@code broadcast_tx_sync} and answers 202 with {@code Location: /api/v1/transactions/<hash>}.
 * A transaction the node refuses in CheckTx is a 422 problem carrying the chain's code and log
 * (and is tracked as REJECTED). {@code GET} reports PENDING until the transaction is in a block,
 * then COMMITTED (code 0) or REJECTED (its code and log), with the height.
 *
 * <p>Counts every submission in {@code teeledger_submissions_total{type,result}}, result one of
 * {@code accepted}, {@code duplicate}, {@code malformed}, {@code bad_signature}, {@code rejected},
 * {@code unavailable}.
 */
@Path("/api/v1/transactions")
@Singleton
@Produces(MediaType.APPLICATION_JSON)
public class TransactionResource {
    static final String PENDING = "PENDING";
    static final String COMMITTED = "COMMITTED";
    static final String REJECTED = "REJECTED";
    private static final HexFormat UPPER_HEX = HexFormat.of().withUpperCase();

    private final ChainClients chain;
    private final ReadModelStore store;
    private final MeterRegistry metrics;
    private final TxLimits limits;
    private final VerifiedSignatureCache signatureCache = new VerifiedSignatureCache(4096);

    public TransactionResource(ChainClients chain, ReadModelStore store, MeterRegistry metrics, ChainSettings settings) {
        this.chain = chain;
        this.store = store;
        this.metrics = metrics;
        this.limits = new TxLimits(settings.maxTxBytes(), settings.maxSigners());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit a signed transaction given in base64")
    public Response submitJson(SubmitRequest request) {
        if (request == null || request.tx() == null || request.tx().isBlank()) {
            throw count("unknown", "malformed", ProblemException.badRequest("malformed-transaction",
                    "body must be {\"tx\": \"<base64 of the signed transaction>\"}"));
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(request.tx().strip());
        } catch (IllegalArgumentException e) {
            throw count("unknown", "malformed", ProblemException.badRequest("malformed-transaction",
                    "tx is not standard base64: " + e.getMessage()));
        }
        return submit(raw);
    }

    @POST
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @Operation(summary = "Submit a signed transaction as raw bytes")
    public Response submitRaw(byte[] raw) {
        return submit(raw == null ? new byte[0] : raw);
    }

    private Response submit(byte[] raw) {
        Submission s = accept(raw);
        return Response.accepted(s).location(URI.create("/api/v1/transactions/" + s.hash())).build();
    }

    /**
     * Validates, checks signatures, broadcasts and tracks one transaction: the REST and gRPC
     * ({@link RegistryGrpcService}) submissions share it. Answers the tracking state (an already
     * known, not rejected transaction is not broadcast again); refusals are problems.
     */
    public Submission accept(byte[] raw) {
        if (raw.length == 0) {
            throw count("unknown", "malformed", ProblemException.badRequest("malformed-transaction", "the transaction is empty"));
        }
        SignedTx tx;
        try {
            tx = TxCodec.decode(raw, limits);
        } catch (Rejection r) {
            throw count("unknown", "malformed", rejection(400, "malformed-transaction", r));
        }
        String type = typeName(tx.type());
        if (chain.chainId().isPresent()) {
            try {
                TxSignatures.verifyAll(tx, chain.chainId().get(), signatureCache);
            } catch (Rejection r) {
                throw count(type, "bad_signature", rejection(422, "invalid-signature", r));
            }
        }
        String hash = UPPER_HEX.formatHex(tx.hash());
        Optional<Submission> known = store.submission(hash);
        if (known.isPresent() && !known.get().status().equals(REJECTED)) {
            count(type, "duplicate", null);
            return known.get();
        }
        BroadcastResult result;
        try {
            result = chain.rpc().broadcastTxSync(raw);
        } catch (ChainRpcException e) {
            throw count(type, "unavailable", new ProblemException(503, "chain-unavailable", "Service unavailable",
                    "could not broadcast: " + e.getMessage()));
        }
        if (result.code() != 0) {
            store.saveSubmission(new Submission(hash, type, REJECTED, result.code(), result.codespace(), result.log(), null));
            Map<String, Object> ext = new LinkedHashMap<>();
            ext.put("hash", hash);
            ext.put("code", result.code());
            ext.put("codespace", result.codespace());
            ext.put("log", result.log());
            throw count(type, "rejected", new ProblemException(422, "transaction-rejected", "Unprocessable content",
                    "the node refused the transaction in CheckTx (code " + result.code() + ")", ext));
        }
        Submission pending = new Submission(hash, type, PENDING, null, null, null, null);
        store.saveSubmission(pending);
        count(type, "accepted", null);
        return pending;
    }

    @GET
    @Path("/{hash}")
    @Operation(summary = "What became of a transaction (PENDING, COMMITTED or REJECTED)")
    public Submission track(@PathParam("hash") String hash) {
        String h = Ids.hex64("hash", hash).toUpperCase(Locale.ROOT);
        Optional<Submission> known = store.submission(h);
        if (known.isPresent() && !known.get().status().equals(PENDING)) {
            return known.get();
        }
        Optional<IndexedTx> onChain = lookUp(h);
        if (onChain.isEmpty()) {
            return known.orElseThrow(() -> ProblemException.notFound("transaction", h));
        }
        IndexedTx t = onChain.get();
        String type = known.map(Submission::type).orElseGet(() -> typeOf(t.tx()));
        boolean ok = t.result().code() == 0;
        Submission done = new Submission(h, type, ok ? COMMITTED : REJECTED, t.result().code(),
                emptyToNull(t.result().codespace()), ok ? null : t.result().log(), t.height());
        if (known.isPresent()) {
            store.saveSubmission(done);
        }
        return done;
    }

    /** The committed transaction, or empty while the node does not know it (not yet in a block). */
    private Optional<IndexedTx> lookUp(String hash) {
        try {
            return Optional.of(chain.rpc().tx(HexFormat.of().parseHex(hash)));
        } catch (ChainRpcException e) {
            if (e.kind() == ChainRpcException.Kind.RPC_ERROR) {
                return Optional.empty(); // "tx (...) not found"
            }
            throw new ProblemException(503, "chain-unavailable", "Service unavailable", "chain node: " + e.getMessage());
        }
    }

    private String typeOf(byte[] raw) {
        try {
            return typeName(TxCodec.decode(raw, limits).type());
        } catch (Rejection r) {
            return "unknown";
        }
    }

    static String typeName(TxType type) {
        return type.name().replaceFirst("^TX_TYPE_", "").toLowerCase(Locale.ROOT);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static ProblemException rejection(int status, String slug, Rejection r) {
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("code", r.code().code());
        ext.put("code_name", r.code().name());
        return new ProblemException(status, slug, status == 400 ? "Bad request" : "Unprocessable content",
                r.getMessage(), ext);
    }

    private ProblemException count(String type, String result, ProblemException problem) {
        metrics.counter("teeledger.submissions", "type", type, "result", result).increment();
        return problem;
    }
}
