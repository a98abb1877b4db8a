package dev.teeledger.chain.rpc;

import tendermint.types.Types;

/**
 * Answer to {@code /commit}: a header and the commit that signs it, as generated protobuf.
 * Unverified; pass it to {@code dev.teeledger.chain.light.HeaderVerifier}.
 *
 * @param signedHeader header and commit
 * @param canonical false when the node returns its own view of the newest block's precommits
 *     (which may later be replaced by the canonical commit stored in block {@code height + 1});
 *     both carry valid +2/3 signatures
 */
public record CommitResponse(Types.SignedHeader signedHeader, boolean canonical) {}
