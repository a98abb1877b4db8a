/**
 * The HSM registry: enrolment (join) of TPM-backed HSMs against the registered manufacturer
 * roots, their lifecycle, and trust derived from their manufacturer. See README.md in this
 * package and docs/registry.md.
 */
package dev.teeledger.abci.hsm;
