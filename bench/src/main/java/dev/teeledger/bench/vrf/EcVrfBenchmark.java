package dev.teeledger.bench.vrf;

import dev.teeledger.protocol.attestation.Sortition;
import dev.teeledger.protocol.vrf.EcVrf;
import dev.teeledger.protocol.vrf.EcVrfKeyPair;
import dev.teeledger.protocol.vrf.EcVrfPublicKey;
import dev.teeledger.protocol.vrf.VrfException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of the ECVRF-P256-SHA256-TAI operations next to ECDSA P-256 verification, the other
 * signature check every attestation vote needs. Single-threaded throughput (ops/s); run as
 * described in docs/benchmarks.md, section "ECVRF".
 *
 * <p>{@code voteCheck} is what block execution pays per vote: one ECDSA P-256 signature check
 * (BouncyCastle lightweight API, cached public key), one VRF verification with a cached
 * {@link EcVrfPublicKey} over the round's sortition input ({@link Sortition#alpha}), and the
 * selection test ({@link Sortition#selected}); {@code voteCheckFreshKeys} decodes both keys
 * from bytes every time.
 *
 * <p>{@link #main} runs the same operations outside JMH and divides by the thread's CPU time
 * instead of wall time. That figure is comparable with {@code openssl speed}, which also counts
 * CPU time, and stays meaningful on a machine shared with other work, where JMH's wall-clock
 * throughput drops with the load.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EcVrfBenchmark {
  /** A verifier holding 1/50 of the credit, τ = 7: the defaults on a 50-HSM network. */
  private static final BigInteger WEIGHT = BigInteger.valueOf(1_000_000);
  private static final BigInteger TOTAL_SHARES = BigInteger.valueOf(50_000_000);
  private static final int COMMITTEE = 7;


  private byte[] secretKey;
  private EcVrfKeyPair keyPair;
  private byte[] publicKeyBytes;
  private EcVrfPublicKey publicKey;
  private byte[] alpha;
  private byte[] proof;

  private byte[] message;
  private Signature jcaVerifier;
  private PublicKey jcaPublicKey;
  private byte[] jcaSignature;
  private ECPublicKeyParameters lwPublicKey;
  private ECDomainParameters domain;
  private byte[] lwPublicKeyBytes;
  private BigInteger[] lwSignature;

  @Setup
  public void setUp() throws GeneralSecurityException, VrfException {
    SecureRandom random = new SecureRandom();
    keyPair = EcVrf.generate(random);
    secretKey = keyPair.secretKey();
    publicKey = keyPair.publicKey();
    publicKeyBytes = publicKey.encoded();
    byte[] seed = new byte[32]; // a round seed is a 32-byte hash
    random.nextBytes(seed);
    alpha = Sortition.alpha("bench-chain", 1234, seed);
    proof = keyPair.prove(alpha);

    // A vote-sized message signed with ECDSA P-256 / SHA-256.
    message = "attestation vote: round 1234, testee abcd, verdict PASS, height 5678"
        .repeat(3).getBytes(StandardCharsets.US_ASCII);

    BouncyCastleProvider bc = new BouncyCastleProvider();
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", bc);
    generator.initialize(new ECGenParameterSpec("secp256r1"), random);
    KeyPair ecdsaKeys = generator.generateKeyPair();
    Signature signer = Signature.getInstance("SHA256withECDSA", bc);
    signer.initSign(ecdsaKeys.getPrivate());
    signer.update(message);
    jcaSignature = signer.sign();
    jcaPublicKey = ecdsaKeys.getPublic();
    jcaVerifier = Signature.getInstance("SHA256withECDSA", bc);

    X9ECParameters p256 = CustomNamedCurves.getByName("secp256r1");
    domain =
        new ECDomainParameters(p256.getCurve(), p256.getG(), p256.getN(), p256.getH());
    BigInteger d = new BigInteger(1, secretKey);
    ECPrivateKeyParameters lwPrivate = new ECPrivateKeyParameters(d, domain);
    lwPublicKey = new ECPublicKeyParameters(domain.getG().multiply(d).normalize(), domain);
    lwPublicKeyBytes = lwPublicKey.getQ().getEncoded(true);
    ECDSASigner lwSigner = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
    lwSigner.init(true, lwPrivate);
    lwSignature = lwSigner.generateSignature(sha256(message));

    if (!jcaVerify() || !lightweightVerify(lwPublicKey) || !lightweightVerify(decodeEcdsaKey())) {
      throw new IllegalStateException("benchmark fixtures do not verify");
    }
  }

  @Benchmark
  public byte[] vrfProve() throws VrfException {
    return EcVrf.prove(secretKey, alpha);
  }

  /** Verification from wire bytes: decodes and validates the 33-byte key on every call. */
  @Benchmark
  public byte[] vrfVerify() throws VrfException {
    return EcVrf.verify(publicKeyBytes, proof, alpha);
  }

  /** Verification with a decoded key kept across calls, as block execution does. */
  @Benchmark
  public byte[] vrfVerifyCachedKey() throws VrfException {
    return EcVrf.verify(publicKey, proof, alpha);
  }

  @Benchmark
  public byte[] vrfProofToHash() throws VrfException {
    return EcVrf.proofToHash(proof);
  }

  /** {@code SHA256withECDSA} through the BouncyCastle JCA provider, DER signature. */
  @Benchmark
  public boolean ecdsaVerifyJca() throws GeneralSecurityException {
    return jcaVerify();
  }

  /**
   * ECDSA P-256 through BouncyCastle's lightweight {@code ECDSASigner} (SHA-256 included), with
   * the public key object kept across calls, so BouncyCastle's fixed-point precomputation for Q
   * is reused (as the JCA case, whose key object is also reused).
   */
  @Benchmark
  public boolean ecdsaVerifyLightweight() {
    return lightweightVerify(lwPublicKey);
  }

  /** As {@link #ecdsaVerifyLightweight} but decoding the 33-byte key on every call. */
  @Benchmark
  public boolean ecdsaVerifyLightweightFreshKey() {
    return lightweightVerify(decodeEcdsaKey());
  }

  /** One vote with keys kept across calls: ECDSA signature, VRF proof and the selection test. */
  @Benchmark
  public boolean voteCheck() throws VrfException {
    if (!lightweightVerify(lwPublicKey)) {
      throw new IllegalStateException("signature did not verify");
    }
    return Sortition.selected(EcVrf.verify(publicKey, proof, alpha), WEIGHT, TOTAL_SHARES, COMMITTEE);
  }

  /** One vote with both keys decoded from wire bytes: the cold-cache worst case. */
  @Benchmark
  public boolean voteCheckFreshKeys() throws VrfException {
    if (!lightweightVerify(decodeEcdsaKey())) {
      throw new IllegalStateException("signature did not verify");
    }
    return Sortition.selected(EcVrf.verify(publicKeyBytes, proof, alpha), WEIGHT, TOTAL_SHARES, COMMITTEE);
  }

  private boolean jcaVerify() throws GeneralSecurityException {
    jcaVerifier.initVerify(jcaPublicKey);
    jcaVerifier.update(message);
    return jcaVerifier.verify(jcaSignature);
  }

  private ECPublicKeyParameters decodeEcdsaKey() {
    return new ECPublicKeyParameters(domain.getCurve().decodePoint(lwPublicKeyBytes), domain);
  }

  private boolean lightweightVerify(ECPublicKeyParameters key) {
    ECDSASigner verifier = new ECDSASigner();
    verifier.init(false, key);
    return verifier.verifySignature(sha256(message), lwSignature[0], lwSignature[1]);
  }

  private static byte[] sha256(byte[] data) {
    SHA256Digest digest = new SHA256Digest();
    digest.update(data, 0, data.length);
    byte[] out = new byte[32];
    digest.doFinal(out, 0);
    return out;
  }

  /** One operation of {@link #main}'s CPU-time run. */
  private interface Op {
    Object run() throws Exception;
  }

  /**
   * Ops per CPU-second of the calling thread for each operation: 2 s warm-up, then the best of
   * three 2 s rounds. Usage: {@code java -cp bench/target/benchmarks.jar
   * dev.teeledger.bench.vrf.EcVrfBenchmark}.
   */
  public static void main(String[] args) throws Exception {
    EcVrfBenchmark b = new EcVrfBenchmark();
    b.setUp();
    String[] names = {
      "vrfProve", "vrfVerify", "vrfVerifyCachedKey", "vrfProofToHash", "ecdsaVerifyJca",
      "ecdsaVerifyLightweight", "ecdsaVerifyLightweightFreshKey", "voteCheck", "voteCheckFreshKeys"
    };
    Op[] ops = {
      b::vrfProve, b::vrfVerify, b::vrfVerifyCachedKey, b::vrfProofToHash, b::ecdsaVerifyJca,
      b::ecdsaVerifyLightweight, b::ecdsaVerifyLightweightFreshKey, b::voteCheck,
      b::voteCheckFreshKeys
    };
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    int sink = 0;
    for (int i = 0; i < ops.length; i++) {
      double best = 0;
      for (int round = 0; round < 4; round++) {
        long cpuStart = threads.getCurrentThreadCpuTime();
        long wallEnd = System.nanoTime() + 2_000_000_000L;
        long count = 0;
        while (System.nanoTime() < wallEnd) {
          sink += ops[i].run().hashCode();
          count++;
        }
        double perCpuSecond = count * 1e9 / (threads.getCurrentThreadCpuTime() - cpuStart);
        if (round > 0) { // round 0 is warm-up
          best = Math.max(best, perCpuSecond);
        }
      }
      System.out.printf("%-32s %10.0f ops per CPU-second%n", names[i], best);
    }
    System.out.println("(sink " + (sink & 1) + ")");
  }
}
