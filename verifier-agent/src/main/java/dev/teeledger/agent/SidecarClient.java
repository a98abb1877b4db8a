package dev.teeledger.agent;

import java.util.List;

/**
 * The five operations of a tpm-sidecar ({@code docs/tpm-sidecar.md}), as the verifier agent uses
 * them: on its own sidecar (identity, VRF proofs, node-key signatures) and on a testee's
 * (credential activation, quotes). Implementations bound every call in time and fail with a
 * typed {@link SidecarException}, never with a stray runtime exception. Byte arrays are exactly
 * what the TPM produced; callers verify them, the client does not.
 */
public interface SidecarClient {

    /** GetIdentity: what a join is built from and what the chain records. */
    Identity identity() throws SidecarException;

    /**
     * ActivateCredential: the secret the TPM recovers from a MakeCredential blob, each argument
     * with its UINT16 size prefix as {@code CredentialActivation.Challenge} produces it.
     */
    byte[] activateCredential(byte[] credentialBlob, byte[] encryptedSecret) throws SidecarException;

    /** Quote by the AK over {@code nonce} (16..32 bytes) and these SHA-256 PCRs, with the measurement log. */
    Quote quote(byte[] nonce, List<Integer> pcrs) throws SidecarException;

    /** A node-key signature over a 32-byte SHA-256 digest. */
    Signature sign(byte[] digest) throws SidecarException;

    /** ECVRF-P256-SHA256-TAI proof and output over {@code alpha} (at most 1024 bytes). */
    VrfResult vrfProve(byte[] alpha) throws SidecarException;

    /** GetIdentity's answer; field names as in the REST mirror. */
    record Identity(byte[] ekCertificate, List<byte[]> intermediates, byte[] ekPublic, byte[] akPublic, byte[] akName,
            byte[] nodeKeyPublic, byte[] certifyAttest, byte[] certifySignature, byte[] vrfPublicKey,
            byte[] vrfKeySignature, String chainId, byte[] hsmId, String sidecarEndpoint, int measurementPcr) {
        public Identity {
            intermediates = List.copyOf(intermediates);
        }
    }

    /** One PCR value read right after the quote. */
    record PcrValue(int index, byte[] sha256) {}

    /** A quote: TPMS_ATTEST and TPMT_SIGNATURE as signed, the PCR values and the encoded MeasurementLog. */
    record Quote(byte[] attest, byte[] signature, List<PcrValue> pcrValues, byte[] measurementLog) {
        public Quote {
            pcrValues = List.copyOf(pcrValues);
        }
    }

    /** A node-key signature: DER, low-S r ‖ s (64 bytes, the transaction form) and TPMT_SIGNATURE. */
    record Signature(byte[] der, byte[] lowS, byte[] tpmSignature) {}

    /** A VRF proof (81 bytes) and its output β (32 bytes). */
    record VrfResult(byte[] proof, byte[] output) {}
}
