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

    // --- manufacturers (200-299) ---
    INVALID_MANUFACTURER_NAME(200, "manufacturer name must be 1 to 128 bytes of UTF-8"),
    MALFORMED_ROOT_CERTIFICATE(201, "root or intermediate certificate is not a single well-formed DER X.509 certificate"),
    ROOT_NOT_CA(202, "root certificate is not a CA (basicConstraints cA=true)"),
    ROOT_EXPIRED(203, "root certificate has expired at block time"),
    ROOT_NOT_YET_VALID(204, "root certificate is not yet valid at block time"),
    MANUFACTURER_ALREADY_REGISTERED(205, "a manufacturer with this root key is already registered (revoked ids are never re-added)"),
    UNKNOWN_MANUFACTURER(206, "no registered manufacturer has this id"),
    MANUFACTURER_ALREADY_REVOKED(207, "this manufacturer is already revoked"),
    INVALID_REVOCATION_REASON(208, "reason must be 1 to 256 bytes of UTF-8"),
    TOO_MANY_INTERMEDIATES(209, "more than 8 intermediate certificates"),

    // --- HSM registry (300-399) ---
    EK_CERT_MALFORMED(300, "EK certificate is not well-formed DER"),
    EK_CERT_UNKNOWN_ISSUER(301, "EK certificate does not chain to an active registered manufacturer root"),
    EK_CERT_BAD_SIGNATURE(302, "a signature on the EK certificate path does not verify"),
    EK_CERT_EXPIRED(303, "a certificate on the EK path has expired at block time"),
    EK_CERT_NOT_YET_VALID(304, "a certificate on the EK path is not yet valid at block time"),
    EK_CERT_INVALID_PATH(305, "the EK certificate path breaks RFC 5280 path rules"),
    EK_CERT_MISSING_EKU(306, "EK certificate lacks the EK extended key usage 2.23.133.8.1"),
    EK_CERT_MISSING_TPM_SAN(307, "EK certificate lacks the TPM subjectAltName"),
    EK_CERT_BAD_KEY_USAGE(308, "EK certificate key usage does not fit the EK algorithm"),
    EK_CERT_KEY_MISMATCH(309, "EK certificate key is not the EK public area"),
    MALFORMED_TPM_PUBLIC(310, "a TPMT_PUBLIC is truncated, oversized or malformed"),
    AK_POLICY_VIOLATION(311, "the AK is not a restricted, fixed, TPM-generated signing key of sufficient strength"),
    CERTIFY_INVALID(312, "TPM2_Certify evidence does not prove the node key was certified by this AK"),
    NODE_KEY_NOT_P256(313, "node key must be an ECC NIST P-256 signing key"),
    INVALID_VRF_KEY(314, "VRF public key is malformed"),
    VRF_KEY_SIGNATURE_INVALID(315, "VRF key binding signature by the node key does not verify"),
    HSM_ALREADY_REGISTERED(316, "an HSM with this EK is already registered"),
    JOIN_SIGNER_NOT_NODE_KEY(317, "a join is signed by its node key alone"),
    INVALID_SIDECAR_ENDPOINT(318, "sidecar endpoint must be 1 to 256 bytes of printable ASCII"),
    HSM_NOT_REGISTERED(319, "no registered HSM has this id"),
    HSM_ALREADY_REVOKED(320, "this HSM is revoked"),
    INVALID_HSM_ID(321, "HSM id must be 32 bytes (SHA-256 of the EK SubjectPublicKeyInfo)"),
    HSM_REVOKED_CANNOT_REJOIN(322, "this EK belongs to an HSM revoked by governance and can never join again"),
    TOO_MANY_MEASURED_FIRMWARE(323, "more than 64 measured firmware hashes for one HSM"),

    // --- firmware (400-499) ---
    INVALID_FIRMWARE_COMPONENT(400, "component must be 1 to 64 bytes of [a-z0-9._-]"),
    INVALID_FIRMWARE_VERSION(401, "version must be 1 to 64 bytes of printable ASCII"),
    INVALID_FIRMWARE_HASH(402, "firmware hash must be 32 bytes (SHA-256)"),
    INVALID_FIRMWARE_WINDOW(403, "need 1 <= valid_from_height and (valid_until_height = 0 or valid_from_height < valid_until_height)"),
    FIRMWARE_ALREADY_LISTED(404, "this binary is already on the allow-list (retired entries are never re-listed)"),
    UNKNOWN_FIRMWARE(405, "no allow-list entry has this hash"),
    FIRMWARE_ALREADY_RETIRED(406, "this allow-list entry is already retired"),

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

    // --- attestation (600-699) ---
    INVALID_VOTE(600, "vote has a bad round id, verifier id, verdict, reason or evidence digest"),
    UNKNOWN_ROUND(601, "no attestation round has this id"),
    ROUND_CLOSED(602, "the round is closed or its voting window has passed"),
    VOTER_NOT_REGISTERED(603, "the verifier is not a registered HSM"),
    VOTER_NOT_ACTIVE(604, "only ACTIVE HSMs may verify"),
    VOTER_IS_TESTEE(605, "an HSM may not vote on its own attestation"),
    VOTE_SIGNER_NOT_NODE_KEY(606, "a vote is signed by the verifier's node key alone"),
    VRF_PROOF_INVALID(607, "the VRF proof does not verify for this round under the verifier's VRF key"),
    VOTER_NOT_SELECTED(608, "the verifier's VRF output does not select it for this round"),
    DUPLICATE_VOTE(609, "this verifier already voted in this round"),
    COMMITTEE_FULL(610, "the round already holds the maximum number of votes"),
    VOTER_BELOW_MIN_BALANCE(611, "the verifier's credit at the round's opening is below credit.min_balance"),
    ROUND_ALREADY_OPEN(612, "this HSM already has an open attestation round"),
    HSM_NOT_ATTESTABLE(613, "only PENDING, ACTIVE or SUSPENDED HSMs are attested"),
    NOT_PENDING(614, "bootstrap activation applies to PENDING HSMs only"),

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
