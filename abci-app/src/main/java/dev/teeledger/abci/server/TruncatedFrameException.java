package dev.teeledger.abci.server;

/**
 * The stream ended inside a frame: after part of a length prefix, or before the number of body
 * bytes the prefix announced. A clean end of stream falls between frames and is not an error.
 */
public final class TruncatedFrameException extends FrameException {

  private static final long serialVersionUID = 1L;

  private final long missingBytes;

  TruncatedFrameException(String message, long missingBytes) {
    super(message);
    this.missingBytes = missingBytes;
  }

  /** Body bytes still expected when the stream ended; 0 if it ended inside the length prefix. */
  public long missingBytes() {
    return missingBytes;
  }
}
