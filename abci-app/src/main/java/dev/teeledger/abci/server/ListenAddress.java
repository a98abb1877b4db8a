package dev.teeledger.abci.server;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A parsed listen address in CometBFT's {@code proxy_app} syntax ({@code libs/net
 * ProtocolAndAddress}): {@code tcp://host:port}, {@code unix://path}, or {@code host:port} read
 * as TCP. Package-private: callers pass strings through {@link AbciServerConfig}.
 */
record ListenAddress(Optional<String> tcpHost, int tcpPort, Optional<Path> unixPath) {

  static ListenAddress parse(String address) {
    String scheme = "tcp";
    String rest = address;
    int sep = address.indexOf("://");
    if (sep >= 0) {
      scheme = address.substring(0, sep);
      rest = address.substring(sep + 3);
    }
    switch (scheme) {
      case "unix":
        if (rest.isEmpty()) {
          throw new IllegalArgumentException("unix address has no path: " + address);
        }
        try {
          return new ListenAddress(Optional.empty(), -1, Optional.of(Path.of(rest)));
        } catch (InvalidPathException e) {
          throw new IllegalArgumentException("invalid unix socket path in " + address, e);
        }
      case "tcp":
        return parseTcp(address, rest);
      default:
        throw new IllegalArgumentException(
            "unsupported scheme '" + scheme + "' in " + address + " (use tcp:// or unix://)");
    }
  }

  private static ListenAddress parseTcp(String address, String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("tcp address needs host:port, got " + address);
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("IPv6 host must be in brackets: " + address);
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid port in " + address, e);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range in " + address);
    }
    return new ListenAddress(host.isEmpty() ? Optional.empty() : Optional.of(host), port,
        Optional.empty());
  }

  boolean isUnix() {
    return unixPath.isPresent();
  }

  /** Resolves the host name, if any; the wildcard address when none was given. */
  SocketAddress toSocketAddress() {
    if (unixPath.isPresent()) {
      return UnixDomainSocketAddress.of(unixPath.get());
    }
    return tcpHost.map(h -> new InetSocketAddress(h, tcpPort))
        .orElseGet(() -> new InetSocketAddress(tcpPort));
  }

  /** Renders a bound address in the same syntax, for CometBFT's {@code --proxy_app}. */
  static String render(SocketAddress bound) {
    if (bound instanceof UnixDomainSocketAddress unix) {
      return "unix://" + unix.getPath();
    }
    InetSocketAddress inet = (InetSocketAddress) bound;
    String host = inet.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return "tcp://" + host + ":" + inet.getPort();
  }
}
