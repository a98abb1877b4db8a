/**
 * The ABCI 2.0 socket transport between CometBFT v0.38.25 and the ledger: {@link
 * dev.teeledger.abci.server.AbciServer} accepts CometBFT's four connections, decodes the
 * varint-length-prefixed protobuf frames ({@link dev.teeledger.abci.server.FrameDecoder},
 * {@link dev.teeledger.abci.server.MessageFramer}) and calls an {@link
 * dev.teeledger.abci.server.AbciApplication}. Nothing here knows about ledger state; the state
 * machine lives in {@code dev.teeledger.abci.app}.
 */
package dev.teeledger.abci.server;
