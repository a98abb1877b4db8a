/** A real CometBFT node and abci-app process pair for integration tests. */
package dev.teeledger.testkit.cometbft;
