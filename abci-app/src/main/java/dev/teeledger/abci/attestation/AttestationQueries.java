package dev.teeledger.abci.attestation;

import dev.teeledger.abci.manufacturer.ManufacturerQueries;
import dev.teeledger.abci.query.QueryRouter;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;

/**
 * Attestation query paths, each one store key with a Merkle proof (docs/api.md):
 * <ul>
 *   <li>{@code /attestation/round/<id>} — AttestationRound</li>
 *   <li>{@code /attestation/vote/<id>/<verifier hex>} — RoundVote</li>
 *   <li>{@code /attestation/open/<hsm hex>} — OpenRound (the HSM's open round)</li>
 *   <li>{@code /attestation/liveness/<hsm hex>} — Liveness</li>
 *   <li>{@code /attestation/binding/<hsm hex>} — AkBinding</li>
 *   <li>{@code /attestation/last/<hsm hex>} — LastAttestation (the baseline for the next round)</li>
 *   <li>{@code /attestation/beacon}, {@code /attestation/accumulator}</li>
 * </ul>
 */
public final class AttestationQueries {
    private AttestationQueries() {}

    public static void register(QueryRouter router) {
        router.fixed("/attestation/beacon", AttestationKeys.BEACON);
        router.fixed("/attestation/accumulator", AttestationKeys.ACCUMULATOR);
        router.prefix("/attestation/round/", (rest, data) -> AttestationKeys.round(roundId(rest)));
        router.prefix("/attestation/vote/", (rest, data) -> {
            String[] parts = rest.split("/", -1);
            if (parts.length != 2) {
                throw new Rejection(ResultCode.MALFORMED_QUERY, "expected /attestation/vote/<round id>/<verifier id>");
            }
            return AttestationKeys.vote(roundId(parts[0]), ManufacturerQueries.hex32(parts[1]));
        });
        router.prefix("/attestation/open/", (rest, data) -> AttestationKeys.open(ManufacturerQueries.hex32(rest)));
        router.prefix("/attestation/liveness/", (rest, data) -> AttestationKeys.liveness(ManufacturerQueries.hex32(rest)));
        router.prefix("/attestation/last/", (rest, data) -> AttestationKeys.last(ManufacturerQueries.hex32(rest)));
        router.prefix("/attestation/binding/", (rest, data) -> AttestationKeys.binding(ManufacturerQueries.hex32(rest)));
    }

    private static long roundId(String s) throws Rejection {
        if (!s.matches("[1-9][0-9]{0,17}")) {
            throw new Rejection(ResultCode.MALFORMED_QUERY, "round id must be a positive decimal number");
        }
        return Long.parseLong(s);
    }
}
