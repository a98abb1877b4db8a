package dev.teeledger.protocol.result;

import java.util.Map;
import java.util.TreeMap;

/**
 * The stable numeric result codes of every transaction and query, each with a
 * human message. Codes enter CometBFT's block results hash (through
 * {@code ExecTxResult.code}), so a code is never renumbered or reused: new codes
 * are appended inside their module's range.
 *
 * <p>Ranges: 0 success; 1–99 envelope and generic; 100–199 governance; 200–299
 * manufacturers; 300–399 HSM registry; 400–499 firmware; 500–599 credit; 600–699
 * attestation; 900–999 queries.
 */
public enum ResultCode {
    OK(0, "ok"),

    // --- envelope and generic (1-99) ---
    MALFORMED_TX(1, "transaction bytes are not a valid transaction envelope"),
    NON_CANONICAL_ENCODING(2, "transaction is not canonically encoded"),
    TX_TOO_LARGE(3, "transaction exceeds the maximum size"),
    UNKNOWN_TX_TYPE(4, "unknown transaction type"),
    MALFORMED_PAYLOAD(5, "payload is not valid for the transaction type"),
    NO_SIGNERS(6, "transaction has no signers"),
    SIGNATURE_COUNT_MISMATCH(7, "number of signatures differs from number of signers"),
    UNSUPPORTED_KEY_TYPE(8, "unsupported or malformed public key"),
    INVALID_SIGNATURE(9, "signature does not verify"),
    DUPLICATE_SIGNER(10, "the same key signs twice"),
    BAD_NONCE(11, "nonce is not the account's next nonce"),
    MEMO_TOO_LONG(12, "memo exceeds 256 bytes"),
    TOO_MANY_SIGNERS(13, "too many signers"),

    // --- governance (100-199) ---
    NOT_GOVERNANCE_KEY(100, "signer is not a governance key"),
    INSUFFICIENT_GOVERNANCE_SIGNATURES(101, "fewer valid governance signatures than the threshold"),
    UNKNOWN_PARAMETER(102, "unknown parameter"),
    INVALID_PARAMETER_VALUE(103, "parameter value is malformed or out of range"),
    EMPTY_PARAM_CHANGE(104, "parameter change lists no parameter"),
    DUPLICATE_PARAMETER(105, "parameter listed twice in one change"),
    INVALID_KEY_SET(106, "governance key set is empty, has duplicates or non-Ed25519 keys"),
    INVALID_THRESHOLD(107, "threshold must be between 1 and the number of keys"),
    INCONSISTENT_PARAMETERS(108, "parameters would become inconsistent with each other"),

    // --- credit (500-599) ---
    NOT_CREDIT_REPORTER(500, "signer is not an authorised activity reporter"),
    DUPLICATE_ACTIVITY_REPORT(501, "an activity report with this idempotency key was already counted"),
    INVALID_ACTIVITY_REPORT(502, "activity report has a bad HSM id, kind, amount, reason or idempotency key"),
    UNKNOWN_HSM(503, "no registered HSM has this id"),
    CREDIT_OVERFLOW(504, "the amount would take a balance or the credit supply past its limit"),
    REPORTER_ALREADY_AUTHORIZED(505, "this key is already an authorised activity reporter"),
    REPORTER_NOT_AUTHORIZED(506, "this key is not an authorised activity reporter"),
    INVALID_REPORTER_KEY(507, "reporter key must be a well-formed Ed25519 or P-256 key"),
    REPORTER_SIGNER_COUNT(508, "an activity report has exactly one signer"),

    // --- queries (900-999) ---
    UNKNOWN_QUERY_PATH(900, "unknown query path"),
    MALFORMED_QUERY(901, "malformed query data"),
    NOT_FOUND(902, "no value at this key"),
    HEIGHT_NOT_AVAILABLE(903, "state at this height is not available (pruned or in the future)"),
    INTERNAL_QUERY_ERROR(904, "the query could not be answered");

    private static final Map<Integer, ResultCode> BY_CODE = new TreeMap<>();

    static {
        for (ResultCode c : values()) {
            if (BY_CODE.put(c.code, c) != null) {
                throw new ExceptionInInitializerError("duplicate result code " + c.code);
            }
        }
    }

    private final int code;
    private final String message;

    ResultCode(int code, String message) {
        this.code = code;
        this.message = message;
    }

    /** The number carried in {@code ExecTxResult.code} / {@code ResponseQuery.code}. */
    public int code() {
        return code;
    }

    /** A short human-readable explanation, stable enough to show to users. */
    public String message() {
        return message;
    }

    public boolean isOk() {
        return this == OK;
    }

    /** The code with this number, or {@code null} when none is defined. */
    public static ResultCode fromCode(int code) {
        return BY_CODE.get(code);
    }
}
