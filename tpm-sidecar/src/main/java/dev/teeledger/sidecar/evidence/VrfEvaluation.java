package dev.teeledger.sidecar.evidence;

/**
 * An ECVRF-P256-SHA256-TAI evaluation (RFC 9381 §5.1, §5.2), checkable with
 * {@code protocol.vrf.EcVrf.verify} against the identity's VRF public key.
 *
 * @param proof  81-byte pi = Gamma ‖ c ‖ s
 * @param output 32-byte beta = ECVRF_proof_to_hash(pi)
 */
public record VrfEvaluation(byte[] proof, byte[] output) {}
