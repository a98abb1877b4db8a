/**
 * ECVRF-P256-SHA256-TAI (RFC 9381, suite 0x01) for verifier sortition in attestation rounds.
 *
 * <p>{@link dev.teeledger.protocol.vrf.EcVrf} proves, verifies and hashes proofs; {@link
 * dev.teeledger.protocol.vrf.EcVrfPublicKey} is a validated key that block execution keeps per
 * registered verifier; {@link dev.teeledger.protocol.vrf.EcVrfKeyPair} is the prover's side; every
 * refusal is a {@link dev.teeledger.protocol.vrf.VrfException} with a stable reason. P-256 was
 * chosen over Ed25519 because TPM 2.0 parts implement it (docs/adr/0003-ecvrf-p256.md).
 *
 * <p>Wire format: public key 33 bytes (SEC1 compressed), proof 81 bytes (Gamma ‖ c ‖ s), output
 * 32 bytes. Verification is deterministic and allocation-bounded, so it is safe in block
 * execution.
 */
package dev.teeledger.protocol.vrf;
