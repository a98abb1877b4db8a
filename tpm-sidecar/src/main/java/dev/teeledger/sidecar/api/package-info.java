/**
 * Quarkus wiring of the sidecar: the gRPC service and its REST mirror, problem+json errors,
 * readiness and metrics, configuration. No TPM logic lives here; it is in
 * {@code dev.teeledger.sidecar.tpm}.
 */
package dev.teeledger.sidecar.api;
