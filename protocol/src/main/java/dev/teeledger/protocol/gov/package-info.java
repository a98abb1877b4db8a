/** The registry of protocol parameters, shared by the chain and its clients. */
package dev.teeledger.protocol.gov;
