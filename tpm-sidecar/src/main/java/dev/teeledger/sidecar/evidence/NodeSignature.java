package dev.teeledger.sidecar.evidence;

/**
 * A TPM2_Sign result from the node key (ECDSA P-256 over a caller-supplied SHA-256 digest).
 *
 * @param der          DER ECDSA-Sig-Value of (r, s) as the TPM computed them
 * @param lowS         64 bytes r ‖ s with s replaced by n − s when above n/2, the form the chain's
 *                     transaction signatures require (both forms verify under ECDSA)
 * @param tpmSignature the TPMT_SIGNATURE as the TPM returned it
 */
public record NodeSignature(byte[] der, byte[] lowS, byte[] tpmSignature) {}
