package dev.teeledger.abci.server;

import java.io.IOException;

/**
 * A byte stream on an ABCI socket that is not a valid sequence of length-prefixed frames.
 * Thrown by {@link FrameDecoder}; {@link AbciServer} logs it and closes only the offending
 * connection, because once framing is lost no later byte can be trusted to start a message.
 * The subtypes say which rule was broken, so callers and tests can tell them apart.
 */
public abstract sealed class FrameException extends IOException
    permits FrameTooLargeException, MalformedFrameException, TruncatedFrameException {

  private static final long serialVersionUID = 1L;

  FrameException(String message) {
    super(message);
  }
}
