/**
 * The verifier agent of one HSM (issue 9): it watches attestation rounds on chain, evaluates its
 * private VRF lottery through its own tpm-sidecar, and when selected challenges the testee's
 * sidecar (credential activation and a quote over a fresh nonce), judges the evidence with
 * {@code protocol}'s verifiers against the chain's allow-list and submits a vote signed by its
 * own TPM node key. See {@code docs/verifier-agent.md}.
 */
package dev.teeledger.agent;
