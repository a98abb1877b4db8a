package dev.teeledger.service.common;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The service's view of the chain ({@code teeledger.chain.*}, docs/configuration.md). Read by
 * {@link ChainClients} at start-up. The chain id and genesis file are optional: without the id
 * submissions are only envelope-checked, without the genesis file {@code ?verified=true} answers
 * 503 instead of trusting an unpinned validator set.
 */
@ConfigMapping(prefix = "teeledger.chain")
public interface ChainSettings {
    /** CometBFT RPC endpoint, e.g. {@code http://127.0.0.1:26657}. */
    @WithDefault("http://127.0.0.1:26657")
    URI rpcUrl();

    /** Chain id; when set, signatures are verified before a transaction is broadcast. */
    Optional<String> id();

    /** CometBFT genesis file whose validator set the light client pins. */
    Optional<Path> genesisFile();

    /** Timeout of one RPC request. */
    @WithDefault("PT10S")
    Duration requestTimeout();

    /** Largest accepted transaction, as the chain's {@code TxLimits}. */
    @WithDefault("65536")
    int maxTxBytes();

    /** Most signers accepted in one transaction, as the chain's {@code TxLimits}. */
    @WithDefault("16")
    int maxSigners();
}
