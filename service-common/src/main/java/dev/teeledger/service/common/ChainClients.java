package dev.teeledger.service.common;

import dev.teeledger.chain.light.HeaderVerifier;
import dev.teeledger.chain.light.SmtProofOpVerifier;
import dev.teeledger.chain.light.TrustedValidators;
import dev.teeledger.chain.light.VerifiedQueryClient;
import dev.teeledger.chain.rpc.CometRpcClient;
import dev.teeledger.chain.rpc.CometRpcConfig;
import dev.teeledger.chain.rpc.NodeStatus;
import dev.teeledger.chain.rpc.ChainRpcException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
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

    /** The configured chain id, if any. */
    public Optional<String> chainId() {
        return chainId;
    }

    /** {@code /status} of the node (for the readiness check). */
    public NodeStatus status() throws ChainRpcException {
        return rpc.status();
    }
}
