/**
 * Light-client verification for CometBFT v0.38: {@link dev.teeledger.chain.light.HeaderVerifier}
 * checks signed headers against a trusted or adjacent validator set (header Merkle hash,
 * validator-set hash, Ed25519 precommit signatures, more than 2/3 of voting power),
 * {@link dev.teeledger.chain.light.ProofVerifier} chains pluggable
 * {@link dev.teeledger.chain.light.ProofOpVerifier}s from a queried key and value up to a
 * verified app hash, and {@link dev.teeledger.chain.light.VerifiedQueryClient} combines both
 * with the RPC client into proven reads. Nothing here trusts the RPC node; the trust anchor is a
 * pinned {@link dev.teeledger.chain.light.TrustedValidators} set. No clock is read except the
 * one passed in.
 */
package dev.teeledger.chain.light;
