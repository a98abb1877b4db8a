/**
 * X.509 for TPM enrolment: {@link dev.teeledger.protocol.x509.EkCertificateVerifier} validates
 * an Endorsement Key certificate against manufacturer roots at the block time, deterministically
 * and offline, and {@link dev.teeledger.protocol.x509.HsmId} derives the HSM identifier from it.
 * See docs/tpm-evidence.md.
 */
package dev.teeledger.protocol.x509;
