package dev.teeledger.sidecar.tpm;

/** Key type of an AK the sidecar creates (an existing AK at the configured handle is used as is). */
public enum AkAlgorithm {
    /** ECC NIST P-256, ECDSA with SHA-256: fast to create and to sign with. */
    ECC,
    /** RSA-2048, RSASSA-PKCS1-v1_5 with SHA-256. */
    RSA
}
