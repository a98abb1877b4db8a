/**
 * Typed client for the JSON-RPC interface of a CometBFT v0.38 node
 * ({@link dev.teeledger.chain.rpc.CometRpcClient}) and the conversion of its JSON into the
 * generated CometBFT protobuf types and small records
 * ({@link dev.teeledger.chain.rpc.CometJsonCodec}). Answers are unverified; the
 * {@code dev.teeledger.chain.light} package verifies headers and proofs. Failures are
 * {@link dev.teeledger.chain.rpc.ChainRpcException}s with a kind and, for RPC error objects, the
 * node's code and message.
 */
package dev.teeledger.chain.rpc;
