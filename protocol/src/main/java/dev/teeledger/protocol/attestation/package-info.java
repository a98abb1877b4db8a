/**
 * Attestation arithmetic shared by the chain and verifier agents: the sortition input and
 * lottery, round seeds, the beacon, the quorum and the aggregation rule
 * ({@link dev.teeledger.protocol.attestation.Sortition}). Pure and deterministic.
 */
package dev.teeledger.protocol.attestation;
