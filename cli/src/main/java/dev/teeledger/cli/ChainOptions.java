package dev.teeledger.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teeledger.chain.light.HeaderVerifier;
import dev.teeledger.chain.light.SmtProofOpVerifier;
import dev.teeledger.chain.light.TrustedValidators;
import dev.teeledger.chain.light.VerifiedQueryClient;
import dev.teeledger.chain.rpc.AbciQueryResult;
import dev.teeledger.chain.rpc.ChainRpcException;
import dev.teeledger.chain.rpc.CometRpcClient;
import dev.teeledger.chain.rpc.CometRpcConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * How a command reaches the chain: the node's RPC address, and for {@code --verified} reads the
 * genesis file whose validator set anchors the light client. Shared by every command that talks
 * to a node ({@code @Mixin}).
 */
public final class ChainOptions {
    @Option(names = "--rpc", defaultValue = "http://127.0.0.1:26657", description = "CometBFT RPC address (default: ${DEFAULT-VALUE})")
    URI rpc;

    @Option(names = "--verified", description = "check every answer with the light client (header signatures and Merkle proof)")
    boolean verified;

    @Option(names = "--genesis", defaultValue = ".devnet/cometbft/config/genesis.json",
            description = "genesis.json that holds the trusted validator set for --verified (default: ${DEFAULT-VALUE})")
    Path genesis;

    public CometRpcClient rpc() {
        return new CometRpcClient(CometRpcConfig.of(rpc));
    }

    /**
     * The value at {@code storeKey}, read through {@code path}: proven against a verified header
     * when {@code --verified}, else as the node answers. Empty when the key is absent (with
     * {@code --verified}, absence is proven too).
     */
    public Optional<byte[]> read(String path, String storeKey) {
        byte[] key = storeKey.getBytes(StandardCharsets.UTF_8);
        try {
            if (verified) {
                return lightClient().query(path, key).valueIfPresent();
            }
            AbciQueryResult r = rpc().abciQuery(path, key, 0, false);
            if (r.code() == 902) {
                return Optional.empty();
            }
            if (r.code() != 0) {
                throw new CliException(CliException.REJECTED, "query " + path + " answered code " + r.code() + ": " + r.log());
            }
            // A stored default message (e.g. nonce 0) encodes to zero bytes, which RPC returns as no value.
            return Optional.of(r.value() == null ? new byte[0] : r.value());
        } catch (ChainRpcException e) {
            throw new CliException(CliException.CHAIN, "cannot query " + rpc + ": " + e.getMessage(), e);
        } catch (dev.teeledger.chain.light.LightClientException e) {
            throw new CliException(CliException.CHAIN, "the answer did not verify: " + e.getMessage(), e);
        }
    }

    private VerifiedQueryClient lightClient() {
        byte[] genesisJson;
        String chainId;
        try {
            genesisJson = Files.readAllBytes(genesis);
            chainId = new ObjectMapper().readTree(genesisJson).path("chain_id").asText("");
        } catch (IOException e) {
            throw new CliException(CliException.BAD_INPUT, "--verified needs a genesis file: " + e.getMessage(), e);
        }
        return new VerifiedQueryClient(rpc(), new HeaderVerifier(chainId), SmtProofOpVerifier.teeLedgerProofs(),
                TrustedValidators.fromGenesisJson(genesisJson), VerifiedQueryClient.Options.defaults(), Clock.systemUTC());
    }
}
