/**
 * The firmware / system-wasm allow-list: binaries (by SHA-256) approved by governance for a
 * height window. See README.md in this package and docs/registry.md.
 */
package dev.teeledger.abci.firmware;
