package dev.teeledger.abci.server;

/**
 * A frame whose declared length exceeds the configured maximum. Raised as soon as the length
 * prefix shows it, before any body byte is buffered, so a hostile or corrupt prefix cannot make
 * the server allocate more than {@code maxFrameBytes}.
 */
public final class FrameTooLargeException extends FrameException {

  private static final long serialVersionUID = 1L;

  private final long declaredLength;
  private final int maxFrameBytes;

  FrameTooLargeException(long declaredLength, int maxFrameBytes) {
    super("frame length " + (declaredLength < 0 ? "over 2^63" : Long.toString(declaredLength))
        + " exceeds the maximum of " + maxFrameBytes + " bytes");
    this.declaredLength = declaredLength;
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * The length read so far from the prefix: a lower bound of the declared length (the decoder
   * stops reading the prefix once the limit is passed); negative if it no longer fits a long.
   */
  public long declaredLength() {
    return declaredLength;
  }

  /** The limit that was exceeded. */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }
}
