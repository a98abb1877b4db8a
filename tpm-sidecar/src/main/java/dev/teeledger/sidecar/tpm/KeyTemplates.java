package dev.teeledger.sidecar.tpm;

import java.util.HexFormat;
import tss.tpm.TPM2B_DIGEST_KEYEDHASH;
import tss.tpm.TPM2B_PUBLIC_KEY_RSA;
import tss.tpm.TPMA_OBJECT;
import tss.tpm.TPMS_ECC_PARMS;
import tss.tpm.TPMS_ECC_POINT;
import tss.tpm.TPMS_KEYEDHASH_PARMS;
import tss.tpm.TPMS_NULL_ASYM_SCHEME;
import tss.tpm.TPMS_NULL_KDF_SCHEME;
import tss.tpm.TPMS_NULL_SCHEME_KEYEDHASH;
import tss.tpm.TPMS_RSA_PARMS;
import tss.tpm.TPMS_SIG_SCHEME_ECDSA;
import tss.tpm.TPMS_SIG_SCHEME_RSASSA;
import tss.tpm.TPMT_PUBLIC;
import tss.tpm.TPMT_SYM_DEF_OBJECT;
import tss.tpm.TPM_ALG_ID;
import tss.tpm.TPM_ECC_CURVE;

/**
 * The public-area templates the sidecar provisions with. The EK template must be the TCG default
 * so the key matches the manufacturer's EK certificate; the others are ours, chosen so the
 * registry accepts them ({@code AkPolicy}, node key = unrestricted P-256 ECDSA signer).
 */
final class KeyTemplates {

    /**
     * PolicySecret(TPM_RH_ENDORSEMENT) digest, the EK authPolicy of TCG EK Credential Profile 2.0
     * §B.3.3 (Template L-1).
     */
    static final byte[] EK_POLICY =
            HexFormat.of().parseHex("837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa");

    private KeyTemplates() {}

    /** TCG EK Credential Profile Template L-1: RSA-2048, AES-128-CFB, unique = 256 zero bytes. */
    static TPMT_PUBLIC rsaEk() {
        return new TPMT_PUBLIC(TPM_ALG_ID.SHA256,
                new TPMA_OBJECT(TPMA_OBJECT.fixedTPM, TPMA_OBJECT.fixedParent, TPMA_OBJECT.sensitiveDataOrigin,
                        TPMA_OBJECT.adminWithPolicy, TPMA_OBJECT.restricted, TPMA_OBJECT.decrypt),
                EK_POLICY,
                new TPMS_RSA_PARMS(new TPMT_SYM_DEF_OBJECT(TPM_ALG_ID.AES, 128, TPM_ALG_ID.CFB),
                        new TPMS_NULL_ASYM_SCHEME(), 2048, 0),
                new TPM2B_PUBLIC_KEY_RSA(new byte[256]));
    }

    /**
     * Attestation key: restricted signing key generated in the TPM (the attributes tpm2_createak
     * uses), created in the endorsement hierarchy so quotes carry unobfuscated clock data.
     */
    static TPMT_PUBLIC ak(AkAlgorithm alg) {
        TPMA_OBJECT attrs = new TPMA_OBJECT(TPMA_OBJECT.fixedTPM, TPMA_OBJECT.fixedParent,
                TPMA_OBJECT.sensitiveDataOrigin, TPMA_OBJECT.userWithAuth, TPMA_OBJECT.restricted, TPMA_OBJECT.sign);
        return switch (alg) {
            case ECC -> new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attrs, new byte[0],
                    new TPMS_ECC_PARMS(TPMT_SYM_DEF_OBJECT.nullObject(), new TPMS_SIG_SCHEME_ECDSA(TPM_ALG_ID.SHA256),
                            TPM_ECC_CURVE.NIST_P256, new TPMS_NULL_KDF_SCHEME()),
                    new TPMS_ECC_POINT(new byte[0], new byte[0]));
            case RSA -> new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attrs, new byte[0],
                    new TPMS_RSA_PARMS(TPMT_SYM_DEF_OBJECT.nullObject(), new TPMS_SIG_SCHEME_RSASSA(TPM_ALG_ID.SHA256),
                            2048, 0),
                    new TPM2B_PUBLIC_KEY_RSA(new byte[0]));
        };
    }

    /** Node key: unrestricted ECDSA P-256 / SHA-256 signer that never decrypts. */
    static TPMT_PUBLIC nodeKey() {
        return new TPMT_PUBLIC(TPM_ALG_ID.SHA256,
                new TPMA_OBJECT(TPMA_OBJECT.fixedTPM, TPMA_OBJECT.fixedParent, TPMA_OBJECT.sensitiveDataOrigin,
                        TPMA_OBJECT.userWithAuth, TPMA_OBJECT.sign),
                new byte[0],
                new TPMS_ECC_PARMS(TPMT_SYM_DEF_OBJECT.nullObject(), new TPMS_SIG_SCHEME_ECDSA(TPM_ALG_ID.SHA256),
                        TPM_ECC_CURVE.NIST_P256, new TPMS_NULL_KDF_SCHEME()),
                new TPMS_ECC_POINT(new byte[0], new byte[0]));
    }

    /**
     * Storage root key for sealing, TCG TPM v2.0 Provisioning Guidance §7.5.1 ECC SRK template
     * (P-256, AES-128-CFB, unique zero-filled): re-created identically from the owner seed after
     * every restart or reset, so sealed blobs load until the owner hierarchy is cleared.
     */
    static TPMT_PUBLIC storageRoot() {
        return new TPMT_PUBLIC(TPM_ALG_ID.SHA256,
                new TPMA_OBJECT(TPMA_OBJECT.fixedTPM, TPMA_OBJECT.fixedParent, TPMA_OBJECT.sensitiveDataOrigin,
                        TPMA_OBJECT.userWithAuth, TPMA_OBJECT.noDA, TPMA_OBJECT.restricted, TPMA_OBJECT.decrypt),
                new byte[0],
                new TPMS_ECC_PARMS(new TPMT_SYM_DEF_OBJECT(TPM_ALG_ID.AES, 128, TPM_ALG_ID.CFB),
                        new TPMS_NULL_ASYM_SCHEME(), TPM_ECC_CURVE.NIST_P256, new TPMS_NULL_KDF_SCHEME()),
                new TPMS_ECC_POINT(new byte[32], new byte[32]));
    }

    /** A sealed data object (keyedhash, no scheme) that only this TPM can unseal. */
    static TPMT_PUBLIC sealedData() {
        return new TPMT_PUBLIC(TPM_ALG_ID.SHA256,
                new TPMA_OBJECT(TPMA_OBJECT.fixedTPM, TPMA_OBJECT.fixedParent, TPMA_OBJECT.userWithAuth,
                        TPMA_OBJECT.noDA),
                new byte[0],
                new TPMS_KEYEDHASH_PARMS(new TPMS_NULL_SCHEME_KEYEDHASH()),
                new TPM2B_DIGEST_KEYEDHASH(new byte[0]));
    }
}
