/**
 * The node TPM through TSS.Java, free of Quarkus: backends ({@link dev.teeledger.sidecar.tpm.TpmConnector}),
 * the serialised, handle-flushing TPM path ({@link dev.teeledger.sidecar.tpm.TpmSession}) and the
 * sidecar's operations with idempotent provisioning ({@link dev.teeledger.sidecar.tpm.NodeTpm}).
 * TSS.Java only marshals commands; everything signed is returned as the raw TPM bytes and checked
 * with {@code protocol}'s verifiers. See docs/tpm-sidecar.md.
 */
package dev.teeledger.sidecar.tpm;
