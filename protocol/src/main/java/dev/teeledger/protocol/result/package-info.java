/**
 * Stable result codes and the typed rejection that carries them. One enum holds
 * every code so that numbering conflicts are caught at class-load time.
 */
package dev.teeledger.protocol.result;
