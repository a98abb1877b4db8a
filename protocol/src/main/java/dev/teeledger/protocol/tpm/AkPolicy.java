package dev.teeledger.protocol.tpm;

import dev.teeledger.protocol.tpm.TpmEvidenceException.Reason;

/**
 * The registry's rule for what may serve as an Attestation Key: a restricted signing key that
 * the TPM generated and that can never leave it (fixedTPM, fixedParent, sensitiveDataOrigin),
 * not usable for decryption, and RSA of at least 2048 bits or ECC on NIST P-256. A restricted
 * key only signs digests the TPM computed itself, so its signatures over TPMS_ATTEST cannot be
 * forged with TPM2_Sign (TPM 2.0 Part 1 §25.3); the same checks as go-attestation's
 * AK parameter check. Called at enrolment before binding the AK to the EK.
 *
 * <p>Stateless and deterministic. Checks run in a fixed order and the first failure is reported.
 */
public final class AkPolicy {

    private AkPolicy() {}

    /**
     * Accepts {@code ak} or throws with the first violated rule, in this order: key type,
     * restricted, sign, not decrypt, fixedTPM, fixedParent, sensitiveDataOrigin, key strength.
     */
    public static void check(TpmtPublic ak) throws TpmEvidenceException {
        if (ak.type() != TpmAlg.RSA && ak.type() != TpmAlg.ECC) {
            throw new TpmEvidenceException(Reason.AK_UNSUPPORTED_TYPE, "AK type is not RSA or ECC");
        }
        if (!ak.restricted()) {
            throw new TpmEvidenceException(Reason.AK_NOT_RESTRICTED, "AK is not restricted");
        }
        if (!ak.sign()) {
            throw new TpmEvidenceException(Reason.AK_NOT_SIGNING, "AK lacks the sign attribute");
        }
        if (ak.decrypt()) {
            throw new TpmEvidenceException(Reason.AK_DECRYPT_SET, "AK has the decrypt attribute");
        }
        if (!ak.fixedTpm()) {
            throw new TpmEvidenceException(Reason.AK_NOT_FIXED_TPM, "AK lacks fixedTPM");
        }
        if (!ak.fixedParent()) {
            throw new TpmEvidenceException(Reason.AK_NOT_FIXED_PARENT, "AK lacks fixedParent");
        }
        if (!ak.sensitiveDataOrigin()) {
            throw new TpmEvidenceException(Reason.AK_NOT_TPM_GENERATED, "AK lacks sensitiveDataOrigin");
        }
        if (ak.type() == TpmAlg.RSA && ak.rsaKeyBits() < 2048) {
            throw new TpmEvidenceException(Reason.AK_WEAK_KEY, "RSA AK of " + ak.rsaKeyBits() + " bits");
        }
        if (ak.type() == TpmAlg.ECC) {
            if (ak.curve() != TpmAlg.CURVE_NIST_P256) {
                throw new TpmEvidenceException(Reason.AK_WEAK_KEY,
                        String.format("ECC AK on curve 0x%04x, only NIST P-256", ak.curve()));
            }
            try {
                ak.eccPoint();
            } catch (TpmFormatException e) {
                throw new TpmEvidenceException(Reason.MALFORMED, "AK point: " + e.getMessage());
            }
        }
    }
}
