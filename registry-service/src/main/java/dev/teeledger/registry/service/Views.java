package dev.teeledger.registry.service;

import java.util.List;

/**
 * The JSON shapes of the read API (snake_case on the wire). {@code source} says where an answer
 * came from: {@code read-model} (PostgreSQL, as of {@code indexed_height}) or {@code chain}
 * (light-client verified at {@code verified_height}).
 */
public final class Views {
    private Views() {}

    /** A TPM manufacturer root CA. */
    public record Manufacturer(String id, String name, String subject, String status, long addedHeight,
            Long revokedHeight, String revokeReason, String source, Long verifiedHeight) {}

    /** An enrolled HSM. */
    public record Hsm(String id, String manufacturerId, String state, String endpoint, long joinedHeight,
            long stateHeight, String stateReason, List<String> firmware, String source, Long verifiedHeight) {}

    /** A firmware allow-list entry; {@code valid_until_height} 0 = no end. */
    public record Firmware(String sha256, String component, String version, long validFromHeight,
            long validUntilHeight, long approvedHeight, Long retiredHeight, String retireReason,
            Long expiredHeight, String source, Long verifiedHeight) {}

    /** A page of a list; {@code total} counts all matches, {@code indexed_height} is the read model's height. */
    public record Page<T>(List<T> items, int page, int size, long total, long indexedHeight) {}

    /** A whole (short) list. */
    public record Listing<T>(List<T> items, long indexedHeight) {}

    /** A submitted transaction and what became of it. */
    public record Submission(String hash, String type, String status, Integer code, String codespace, String log, Long height) {}

    /** Body of {@code POST /api/v1/transactions} as JSON: the signed transaction in base64. */
    public record SubmitRequest(String tx) {}
}
