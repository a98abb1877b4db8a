/**
 * TPM 2.0 evidence: strict parsers for the structures a TPM returns (TPMT_PUBLIC, TPMS_ATTEST,
 * TPMT_SIGNATURE; TPM 2.0 Part 2) and verifiers that judge them with BouncyCastle over the raw
 * received bytes. Used by the registry (join), attestation and the sidecar. Deterministic and
 * framework-free; every rejection is a checked exception with a stable reason. See
 * docs/tpm-evidence.md for the order of checks.
 */
package dev.teeledger.protocol.tpm;
