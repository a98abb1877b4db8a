/** ABCI Query: path routing to store keys and Merkle proofs against the app hash. */
package dev.teeledger.abci.query;
