package dev.teeledger.protocol.vrf;

import java.math.BigInteger;

/**
 * An ECVRF-P256-SHA256-TAI key pair: the secret scalar x (SK, 32 bytes big-endian, in [1, q-1])
 * and Y = x·B. Made by {@link EcVrf#generate} or {@link EcVrf#fromSecret}; held by the prover
 * (the HSM's sidecar), never by block execution, which only sees {@link EcVrfPublicKey}.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the secret.
 */
public final class EcVrfKeyPair {

  private final BigInteger secretScalar;
  private final EcVrfPublicKey publicKey;

  EcVrfKeyPair(BigInteger secretScalar, EcVrfPublicKey publicKey) {
    this.secretScalar = secretScalar;
    this.publicKey = publicKey;
  }

  /** The 32-byte secret key SK (big-endian x); a fresh copy the caller must protect. */
  public byte[] secretKey() {
    return P256Points.toFixedBytes(secretScalar, P256Points.SCALAR_LEN);
  }

  /** The validated public key Y. */
  public EcVrfPublicKey publicKey() {
    return publicKey;
  }

  /**
   * Same as {@link EcVrf#prove(byte[], byte[])} with this key; returns the 81-byte proof pi.
   *
   * @throws VrfException {@link VrfException.Reason#ENCODE_TO_CURVE_FAILED} (probability about
   *     2^-256)
   */
  public byte[] prove(byte[] alpha) throws VrfException {
    return EcVrf.prove(secretScalar, publicKey, alpha);
  }

  BigInteger secretScalar() {
    return secretScalar;
  }

  @Override
  public String toString() {
    return "EcVrfKeyPair[publicKey=" + publicKey + ", secretKey=<redacted>]";
  }
}
