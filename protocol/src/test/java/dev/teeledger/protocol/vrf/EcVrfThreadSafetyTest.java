package dev.teeledger.protocol.vrf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A shared {@link EcVrfPublicKey} and the shared base point carry BouncyCastle precomputation
 * that is built and promoted lazily; concurrent verifications must still all agree.
 */
class EcVrfThreadSafetyTest {

  @Test
  void concurrentVerificationsWithSharedKeyAllReturnTheSameOutput() throws Exception {
    EcVrfKeyPair keys = EcVrf.fromSecret(new byte[] {
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
      17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
    EcVrfPublicKey shared = EcVrfPublicKey.decode(keys.publicKey().encoded());
    int inputs = 8;
    byte[][] alphas = new byte[inputs][];
    byte[][] proofs = new byte[inputs][];
    byte[][] outputs = new byte[inputs][];
    for (int i = 0; i < inputs; i++) {
      alphas[i] = ("round " + i).getBytes(StandardCharsets.US_ASCII);
      proofs[i] = keys.prove(alphas[i]);
      outputs[i] = EcVrf.proofToHash(proofs[i]);
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> {
          for (int round = 0; round < 10; round++) {
            for (int i = 0; i < inputs; i++) {
              if (!java.util.Arrays.equals(EcVrf.verify(shared, proofs[i], alphas[i]), outputs[i])) {
                return false;
              }
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> result : results) {
        assertThat(result.get(60, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
