package dev.teeledger.cli.k8s;

import dev.teeledger.cli.CliException;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the operator decides about a new chain, besides the validators' keys: chain id,
 * genesis time (RFC 3339, UTC), number of validators expected, the governance key set and
 * threshold, and parameter overrides (strings, as {@code GovGenesis} in abci-app reads them).
 * Built by {@link K8sCommand}; {@link GenesisBootstrap} turns it into genesis.json.
 */
public record GenesisSpec(String chainId, String genesisTime, int validators, List<String> govKeys,
                          int govThreshold, SortedMap<String, String> params) {

    public GenesisSpec {
        if (chainId == null || chainId.isBlank() || chainId.length() > 50) {
            // CometBFT types.MaxChainIDLen is 50.
            throw new CliException(CliException.BAD_INPUT, "chain id must be 1..50 characters");
        }
        if (validators < 1) {
            throw new CliException(CliException.BAD_INPUT, "at least one validator is needed, got " + validators);
        }
        govKeys = List.copyOf(govKeys);
        if (govKeys.isEmpty()) {
            throw new CliException(CliException.BAD_INPUT, "at least one governance key (--gov-key) is needed");
        }
        for (String k : govKeys) {
            ValidatorKey.decodePubKey(k, "governance key " + k);
        }
        if (govThreshold < 1 || govThreshold > govKeys.size()) {
            throw new CliException(CliException.BAD_INPUT,
                    "governance threshold must be between 1 and " + govKeys.size() + ", got " + govThreshold);
        }
        params = new TreeMap<>(params);
    }
}
