package dev.teeledger.abci.attestation;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The attestation module's store keys. Heights and round ids are zero-padded decimal so that
 * the store's byte order is their numeric order: the scheduler relies on it to walk queues.
 */
public final class AttestationKeys {
    public static final byte[] SEQUENCE = bytes("attestation/sequence");
    public static final byte[] BEACON = bytes("attestation/beacon");
    public static final byte[] ACCUMULATOR = bytes("attestation/accumulator");
    public static final byte[] DUE_CURSOR = bytes("attestation/due_cursor");
    public static final String ROUND_PREFIX = "attestation/round/";
    public static final String VOTE_PREFIX = "attestation/vote/";
    public static final String OPEN_PREFIX = "attestation/open/";
    public static final String DUE_PREFIX = "attestation/due/";
    public static final String CLOSE_PREFIX = "attestation/close/";
    public static final String LIVENESS_PREFIX = "attestation/liveness/";
    public static final String BINDING_PREFIX = "attestation/binding/";
    public static final String LAST_PREFIX = "attestation/last/";

    private static final HexFormat HEX = HexFormat.of();

    private AttestationKeys() {}

    public static String number(long n) {
        return String.format("%020d", n);
    }

    public static byte[] round(long id) {
        return bytes(ROUND_PREFIX + number(id));
    }

    public static byte[] votePrefix(long roundId) {
        return bytes(VOTE_PREFIX + number(roundId) + "/");
    }

    public static byte[] vote(long roundId, byte[] verifierId) {
        return bytes(VOTE_PREFIX + number(roundId) + "/" + HEX.formatHex(verifierId));
    }

    public static byte[] open(byte[] hsmId) {
        return bytes(OPEN_PREFIX + HEX.formatHex(hsmId));
    }

    public static byte[] dueAt(long height) {
        return bytes(DUE_PREFIX + number(height) + "/");
    }

    public static byte[] due(long height, byte[] hsmId) {
        return bytes(DUE_PREFIX + number(height) + "/" + HEX.formatHex(hsmId));
    }

    public static byte[] closeAt(long height) {
        return bytes(CLOSE_PREFIX + number(height) + "/");
    }

    public static byte[] close(long height, long roundId) {
        return bytes(CLOSE_PREFIX + number(height) + "/" + number(roundId));
    }

    public static byte[] liveness(byte[] hsmId) {
        return bytes(LIVENESS_PREFIX + HEX.formatHex(hsmId));
    }

    public static byte[] binding(byte[] hsmId) {
        return bytes(BINDING_PREFIX + HEX.formatHex(hsmId));
    }

    public static byte[] last(byte[] hsmId) {
        return bytes(LAST_PREFIX + HEX.formatHex(hsmId));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
