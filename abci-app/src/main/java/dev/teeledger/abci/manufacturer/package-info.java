/**
 * The manufacturer registry: TPM manufacturer root CAs that EK certificates must chain to,
 * added and revoked by governance. See README.md in this package and docs/registry.md.
 */
package dev.teeledger.abci.manufacturer;
