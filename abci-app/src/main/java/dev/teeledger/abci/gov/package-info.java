/**
 * Governance: a k-of-n set of Ed25519 keys that changes protocol parameters and
 * rotates itself. See this package's README.md for keys, messages and codes.
 */
package dev.teeledger.abci.gov;
