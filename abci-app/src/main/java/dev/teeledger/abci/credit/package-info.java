/**
 * Credit: a non-transferable balance per HSM, held as shares of one global index so
 * that normalization back to the cap rewrites one record. See this package's
 * README.md for keys, messages, codes and events, and docs/credits.md for the model.
 */
package dev.teeledger.abci.credit;
