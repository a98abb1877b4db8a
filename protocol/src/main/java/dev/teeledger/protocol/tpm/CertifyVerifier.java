package dev.teeledger.protocol.tpm;

import dev.teeledger.protocol.tpm.TpmEvidenceException.Reason;
import java.util.Arrays;

/**
 * Checks TPM2_Certify evidence: that an Attestation Key vouches that another key (a node's
 * signing key) lives in the same TPM. Called by the registry when a node joins, after the AK
 * itself has been accepted ({@link AkPolicy}) and bound to a validated EK.
 *
 * <p>Checks, in order, each with its own reason: the attestation and signature parse
 * (MALFORMED); magic is TPM_GENERATED_VALUE (BAD_MAGIC); type is TPM_ST_ATTEST_CERTIFY
 * (WRONG_ATTEST_TYPE); the signature scheme matches the one fixed in the AK (SCHEME_MISMATCH); the
 * signature over the raw attestation bytes verifies with the AK (BAD_SIGNATURE: signed by another
 * AK or altered); the certified Name equals the Name of the claimed key (CERTIFIED_NAME_MISMATCH:
 * the statement is about another key); extraData equals the expected qualifying data when one is
 * given (EXTRA_DATA_MISMATCH). Stateless and deterministic.
 */
public final class CertifyVerifier {

    private CertifyVerifier() {}

    /**
     * Verifies certify evidence and returns the parsed statement.
     *
     * @param ak                the AK's public area (as recorded on chain)
     * @param certifiedKey      the public area of the key claimed to be certified
     * @param attest            the raw TPMS_ATTEST bytes the TPM signed
     * @param signature         the raw TPMT_SIGNATURE bytes
     * @param expectedExtraData the qualifying data the verifier asked for, or null to skip
     */
    public static TpmsAttest verify(TpmtPublic ak, TpmtPublic certifiedKey, byte[] attest,
            byte[] signature, byte[] expectedExtraData) throws TpmEvidenceException {
        TpmsAttest statement;
        TpmtSignature sig;
        try {
            statement = TpmsAttest.parse(attest);
        } catch (TpmFormatException e) {
            throw new TpmEvidenceException(Reason.MALFORMED, "attestation: " + e.reason() + ": " + e.getMessage());
        }
        try {
            sig = TpmtSignature.parse(signature);
        } catch (TpmFormatException e) {
            throw new TpmEvidenceException(Reason.MALFORMED, "signature: " + e.reason() + ": " + e.getMessage());
        }
        if (statement.magic() != TpmsAttest.TPM_GENERATED_VALUE) {
            throw new TpmEvidenceException(Reason.BAD_MAGIC,
                    String.format("magic 0x%08x is not TPM_GENERATED_VALUE", statement.magic()));
        }
        if (statement.type() != TpmsAttest.ATTEST_CERTIFY) {
            throw new TpmEvidenceException(Reason.WRONG_ATTEST_TYPE,
                    String.format("type 0x%04x is not TPM_ST_ATTEST_CERTIFY", statement.type()));
        }
        checkScheme(ak, sig);
        if (!TpmSignatureVerifier.verify(ak, attest, sig)) {
            throw new TpmEvidenceException(Reason.BAD_SIGNATURE, "signature does not verify with the AK");
        }
        if (!Arrays.equals(statement.certifiedName(), certifiedKey.name())) {
            throw new TpmEvidenceException(Reason.CERTIFIED_NAME_MISMATCH,
                    "the attestation certifies another key");
        }
        if (expectedExtraData != null && !Arrays.equals(statement.extraData(), expectedExtraData)) {
            throw new TpmEvidenceException(Reason.EXTRA_DATA_MISMATCH, "extraData differs from the expected value");
        }
        return statement;
    }

    /**
     * A signature must match the key family, and the scheme and hash that a restricted key fixes
     * in its parameters (TPM 2.0 Part 3 §18.2: a restricted key signs only with its own scheme).
     */
    static void checkScheme(TpmtPublic key, TpmtSignature sig) throws TpmEvidenceException {
        boolean rsaSig = sig.sigAlg() == TpmAlg.RSASSA || sig.sigAlg() == TpmAlg.RSAPSS;
        if (rsaSig != (key.type() == TpmAlg.RSA)) {
            throw new TpmEvidenceException(Reason.SCHEME_MISMATCH, "signature algorithm does not fit the key type");
        }
        if (key.scheme() != TpmAlg.NULL
                && (key.scheme() != sig.sigAlg() || key.schemeHashAlg() != sig.hashAlg())) {
            throw new TpmEvidenceException(Reason.SCHEME_MISMATCH,
                    String.format("signature 0x%04x/0x%04x, key fixes 0x%04x/0x%04x",
                            sig.sigAlg(), sig.hashAlg(), key.scheme(), key.schemeHashAlg()));
        }
    }
}
