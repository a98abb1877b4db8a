package dev.teeledger.abci.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AbciServerConfigTest {

  @Test
  void defaultsMatchCometBftProxyApp() {
    AbciServerConfig c = AbciServerConfig.defaults();
    assertThat(c.address()).isEqualTo("tcp://127.0.0.1:26658");
    assertThat(c.maxFrameBytes()).isEqualTo(64 * 1024 * 1024);
    assertThat(c.serializeApplicationCalls()).isFalse();
  }

  @Test
  void parsesTcpUnixAndBareAddresses() {
    ListenAddress tcp = ListenAddress.parse("tcp://127.0.0.1:26658");
    assertThat(tcp.toSocketAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 26658));
    ListenAddress bare = ListenAddress.parse("localhost:0");
    assertThat(bare.isUnix()).isFalse();
    assertThat(bare.tcpPort()).isZero();
    ListenAddress v6 = ListenAddress.parse("tcp://[::1]:1");
    assertThat(v6.tcpHost()).contains("::1");
    ListenAddress wildcard = ListenAddress.parse("tcp://:5");
    assertThat(wildcard.tcpHost()).isEmpty();
    ListenAddress unix = ListenAddress.parse("unix:///tmp/app.sock");
    assertThat(unix.unixPath()).contains(Path.of("/tmp/app.sock"));
  }

  @Test
  void rejectsMeaninglessSettings() {
    assertThatThrownBy(() -> AbciServerConfig.forAddress("http://x:1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scheme");
    assertThatThrownBy(() -> AbciServerConfig.forAddress("tcp://host"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AbciServerConfig.forAddress("tcp://host:70000"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AbciServerConfig.forAddress("tcp://::1:5"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("brackets");
    assertThatThrownBy(() -> AbciServerConfig.forAddress("unix://"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AbciServerConfig.defaults().withMaxFrameBytes(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AbciServerConfig.defaults().withMaxConnections(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AbciServerConfig.defaults().withShutdownTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rendersBoundAddressesForProxyApp() {
    assertThat(ListenAddress.render(new InetSocketAddress("127.0.0.1", 4242)))
        .isEqualTo("tcp://127.0.0.1:4242");
    assertThat(ListenAddress.render(java.net.UnixDomainSocketAddress.of("/tmp/a.sock")))
        .isEqualTo("unix:///tmp/a.sock");
  }
}
