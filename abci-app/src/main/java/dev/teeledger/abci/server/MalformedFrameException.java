package dev.teeledger.abci.server;

/**
 * A length prefix that is not a valid unsigned varint: more than 10 bytes long (the most a
 * 64-bit protobuf varint may take, per the protobuf encoding spec, "Base 128 Varints").
 */
public final class MalformedFrameException extends FrameException {

  private static final long serialVersionUID = 1L;

  MalformedFrameException(String message) {
    super(message);
  }
}
