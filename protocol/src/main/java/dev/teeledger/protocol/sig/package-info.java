/**
 * Signature schemes of the chain: Ed25519 for governance and clients, ECDSA P-256
 * (low-S, r‖s) for TPM-held node keys, both verified with BouncyCastle on raw
 * bytes, and a bounded cache of signatures already verified.
 */
package dev.teeledger.protocol.sig;
