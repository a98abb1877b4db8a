package dev.teeledger.service.common;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.teeledger.chain.light.HeaderVerifier;
import dev.teeledger.chain.light.LightClientException;
import dev.teeledger.chain.light.SmtProofOpVerifier;
import dev.teeledger.chain.light.TrustedValidators;
import dev.teeledger.chain.light.VerifiedQueryClient;
import dev.teeledger.chain.light.VerifiedQueryClient.VerifiedValue;
import dev.teeledger.chain.rpc.CometRpcClient;
import dev.teeledger.chain.rpc.CometRpcConfig;
import dev.teeledger.chain.rpc.NodeStatus;
import dev.teeledger.chain.rpc.ChainRpcException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * The chain clients a service's resources share: a plain RPC client (broadcast, tx lookup, reads, health) and,
 * if a genesis file is configured, a light client that verifies every answer against the pinned
 * validator set ({@code VerifiedQueryClient}). Built once at start-up; both are thread-safe.
 */
@ApplicationScoped
public class ChainClients {
    private final CometRpcClient rpc;
    private final VerifiedQueryClient verified;
    private final Optional<String> chainId;

    public ChainClients(ChainSettings settings) {
        this.rpc = new CometRpcClient(CometRpcConfig.of(settings.rpcUrl()).withRequestTimeout(settings.requestTimeout()));
        this.chainId = settings.id();
        this.verified = settings.genesisFile().map(file -> {
            try {
                TrustedValidators validators = TrustedValidators.fromGenesisJson(Files.readAllBytes(file));
                String id = settings.id().orElseThrow(() -> new IllegalStateException(
                        "teeledger.chain.genesis-file needs teeledger.chain.id (the light client checks it in every header)"));
                return new VerifiedQueryClient(rpc, new HeaderVerifier(id), SmtProofOpVerifier.teeLedgerProofs(), validators,
                        VerifiedQueryClient.Options.defaults(), Clock.systemUTC());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read teeledger.chain.genesis-file " + file, e);
            }
        }).orElse(null);
    }

    /** The RPC client of the configured node. */
    public CometRpcClient rpc() {
        return rpc;
    }

    /** The light client, empty when no genesis file is configured. */
    public Optional<VerifiedQueryClient> verified() {
        return Optional.ofNullable(verified);
    }

    /**
     * The light client, or a 503 {@code verification-unavailable} problem when no genesis file
     * pins a validator set (a verified read is then impossible, not merely failed).
     */
    public VerifiedQueryClient requireVerified() {
        return verified().orElseThrow(() -> new ProblemException(503, "verification-unavailable", "Service unavailable",
                "verified reads need teeledger.chain.genesis-file (the pinned validator set)"));
    }

    /**
     * One light-client verified value of {@code key} through the app's query {@code path}:
     * present, or empty when the chain proved it absent; failures as {@link #answer}.
     */
    public Optional<VerifiedValue> proven(String path, String key) {
        VerifiedQueryClient client = requireVerified();
        return answer(() -> {
            VerifiedValue v = client.query(path, key.getBytes(StandardCharsets.UTF_8));
            return v.valueIfPresent().isPresent() ? Optional.of(v) : Optional.empty();
        });
    }

    /** A read from the chain, failing as the node or the light client fails. */
    @FunctionalInterface
    public interface ChainRead<T> {
        T read() throws ChainRpcException, LightClientException;
    }

    /**
     * Runs a chain read and answers its failures the same way in every service: an answer that
     * did not verify is a 502 {@code verification-failed} problem naming the light client's
     * reason, an unreachable or failing node a 503 {@code chain-unavailable} problem.
     */
    public static <T> T answer(ChainRead<T> read) {
        try {
            return read.read();
        } catch (LightClientException e) {
            throw new ProblemException(502, "verification-failed", "Bad gateway",
                    "the node's answer did not verify: " + e.getMessage(), Map.of("reason", e.reason().name()));
        } catch (ChainRpcException e) {
            throw new ProblemException(503, "chain-unavailable", "Service unavailable", "chain node: " + e.getMessage());
        }
    }

    /** Parses a proven record. */
    @FunctionalInterface
    public interface RecordParser<T> {
        T parse() throws InvalidProtocolBufferException;
    }

    /**
     * Parses a record whose bytes the light client proved: one that does not parse means the
     * chain and this service disagree on the schema, a 502 {@code verification-failed} problem.
     */
    public static <T> T parseProven(RecordParser<T> parser) {
        try {
            return parser.parse();
        } catch (InvalidProtocolBufferException e) {
            throw new ProblemException(502, "verification-failed", "Bad gateway", "proven record does not parse: " + e.getMessage());
        }
    }

    /** The configured chain id, if any. */
    public Optional<String> chainId() {
        return chainId;
    }

    /** {@code /status} of the node (for the readiness check). */
    public NodeStatus status() throws ChainRpcException {
        return rpc.status();
    }
}
